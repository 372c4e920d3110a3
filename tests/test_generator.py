"""The seeded sample generator: shapes, orders, totals, visitors, rhythms and realism bounds."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from workbench import model, reference
from workbench.errors import WorkbenchError
from workbench.sample import sites
from workbench.sample.generator import generate

START, END = dt.date(2024, 10, 28), dt.date(2024, 11, 20)
SKIP = {sites.OPENTRACKER: {sites.AS_OF}}


@cache
def _chunks() -> tuple[tuple[pa.Table, pa.Table], ...]:
    """Three weeks and a bit of natural volume, the last day of Opentracker left out."""
    return tuple(generate(start=START, end=END, skip=SKIP))


@cache
def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    chunks = _chunks()
    sessions = pa.concat_tables([s for s, _ in chunks]).to_pandas()
    events = pa.concat_tables([e for _, e in chunks]).to_pandas()
    return sessions, events


def test_same_arguments_give_identical_tables():
    args = {"start": dt.date(2024, 3, 1), "end": dt.date(2024, 3, 6), "sessions": 4000, "seed": 7}
    first, second = list(generate(**args)), list(generate(**args))
    assert len(first) == 5
    for (s1, e1), (s2, e2) in zip(first, second, strict=True):
        assert s1.equals(s2) and e1.equals(e2)
    other = list(generate(**(args | {"seed": 8})))
    assert not other[0][0].equals(first[0][0])


def test_one_pair_per_day_conforming_to_the_model():
    chunks = _chunks()
    assert len(chunks) == (END - START).days
    for sessions, events in chunks:
        assert sessions.schema == model.SESSIONS.schema
        assert events.schema == model.EVENTS.schema


def test_sessions_sorted_within_their_utc_day_and_events_sorted():
    for i, (sessions, events) in enumerate(_chunks()):
        day = START + dt.timedelta(days=i)
        start = sessions.column("start_ts").to_pandas()
        assert start.is_monotonic_increasing
        assert (start.dt.date == day).all()
        ev = events.select(["ts", "session_id", "seq"]).to_pandas()
        key = list(zip(ev.ts, ev.session_id, ev.seq, strict=True))
        assert key == sorted(key)
        assert set(ev.session_id) <= set(sessions.column("session_id").to_pylist())


def test_ids_are_unique():
    sessions, events = _frames()
    assert sessions.session_id.is_unique
    assert events.event_id.is_unique


def test_events_match_their_session():
    sessions, events = _frames()
    per = events.groupby("session_id").agg(
        n=("seq", "size"),
        first=("seq", "min"),
        last=("seq", "max"),
        t0=("ts", "min"),
        t1=("ts", "max"),
    )
    s = sessions.set_index("session_id").join(per)
    assert (s.n == s.actions).all()
    assert (s["first"] == 1).all() and (s["last"] == s.n).all()
    assert (s.t0 >= s.start_ts).all() and (s.t1 <= s.end_ts).all()
    views = events[events.type == "pageview"].groupby("session_id").size()
    assert (s.pageviews == views.reindex(s.index).fillna(0)).all()
    seqs = events.sort_values(["session_id", "seq"])
    assert (seqs.groupby("session_id").ts.diff().dropna() > pd.Timedelta(0)).all()


def test_durations_are_whole_seconds_between_start_and_end():
    sessions, _ = _frames()
    span = (sessions.end_ts - sessions.start_ts).dt.total_seconds() // 1
    assert (sessions.duration_s == span).all()
    assert (sessions.last_seen_ts == sessions.end_ts).all()
    web = sessions[sessions.site_id != sites.COUNTLY]
    assert (web[web.actions == 1].duration_s == 0).all()
    app = sessions[sessions.site_id == sites.COUNTLY]
    assert (app.duration_s >= 30).mean() > 0.85


def test_visitor_totals_are_cumulative():
    sessions, _ = _frames()
    s = sessions.sort_values("start_ts", kind="stable")
    g = s.groupby(["site_id", "visitor_id"], sort=False)
    assert (s.visit_number == g.cumcount() + 1).all()
    assert ((s.visit_number == 1) == s.is_new).all()
    assert (s.first_visit_ts == g.start_ts.transform("first")).all()
    assert (s.first_session_id == g.session_id.transform("first")).all()
    assert (s.visitor_pageviews == g.pageviews.cumsum()).all()


def test_session_count_is_scaled_to_the_request():
    for n, skip in ((20_000, None), (30_000, SKIP)):
        chunks = generate(start=dt.date(2024, 6, 1), end=dt.date(2024, 7, 1), sessions=n, skip=skip)
        total = sum(s.num_rows for s, _ in chunks)
        assert abs(total - n) <= 0.01 * n


def test_natural_volume_is_a_few_thousand_a_day():
    per_day = [s.num_rows for s, _ in _chunks()[:-1]]
    assert min(per_day) >= 2500 and max(per_day) <= 5000  # Opentracker runs at seed 000's scale


def test_skipped_local_dates_have_no_sessions_for_that_site():
    sessions, _ = _frames()
    ot = sessions[sessions.site_id == sites.OPENTRACKER]
    local = ot.start_ts.dt.tz_convert(sites.site_zone(sites.OPENTRACKER)).dt.date
    assert not (local == sites.AS_OF).any()
    assert (local == sites.AS_OF - dt.timedelta(days=1)).sum() > 500
    others = sessions[sessions.site_id == sites.CLICKY]
    assert (others.start_ts.dt.tz_convert("America/Los_Angeles").dt.date == sites.AS_OF).any()


def test_every_site_is_present_and_sites_can_be_chosen():
    sessions, _ = _frames()
    assert set(sessions.site_id) == {s["site_id"] for s in sites.SAMPLE_SITES}
    only = list(generate(start=START, end=START + dt.timedelta(days=2), sites=[sites.GIOSG]))
    assert {v for s, _ in only for v in s.column("site_id").to_pylist()} == {sites.GIOSG}


def test_bots_are_a_few_percent_of_web_sessions_and_never_in_the_app():
    sessions, _ = _frames()
    web = sessions[sessions.site_id != sites.COUNTLY]
    assert 0.02 <= web.is_bot.mean() <= 0.045
    assert not sessions[sessions.site_id == sites.COUNTLY].is_bot.any()
    reasons = set(web[web.is_bot].bot_reason)
    assert reasons == {"crawler-ua", "headless", "one-hit-zero-seconds"}
    assert web[~web.is_bot].bot_reason.isna().all()


def test_returning_visitors_are_a_minority():
    sessions, _ = _frames()
    late = sessions[sessions.start_ts >= pd.Timestamp(END - dt.timedelta(days=7), tz="UTC")]
    share = 1 - late.groupby("site_id").is_new.mean()
    assert share.between(0.15, 0.40).all(), share


def test_visits_follow_the_visitors_local_day():
    sessions, _ = _frames()
    hours = np.zeros(24)
    for zone, group in sessions[~sessions.is_bot].groupby("geo_time_zone"):
        hours += np.bincount(group.start_ts.dt.tz_convert(zone).dt.hour, minlength=24)
    assert hours[14:22].mean() > 3 * hours[2:6].mean()


def test_places_are_reference_cities():
    sessions, _ = _frames()
    ref = reference.cities()
    known = set(zip(ref.country_code, ref.region_code, ref.city, strict=True))
    seen = set(
        zip(sessions.country_code, sessions.region_code.fillna(""), sessions.city, strict=True)
    )
    assert seen <= known
    names = dict(zip(reference.countries().code, reference.countries().name, strict=True))
    assert (sessions.country_code.map(names) == sessions.country_name).all()
    assert sessions[sessions.site_id == sites.GIOSG].city.value_counts().index[0] == "Helsinki"


def test_app_sessions_carry_countly_fields():
    sessions, events = _frames()
    app = sessions[sessions.site_id == sites.COUNTLY]
    assert set(app.os) == {"iOS", "Android"} and set(app.device_type) <= {"mobile", "tablet"}
    assert app[["device", "carrier", "app_version", "sdk_name", "density"]].notna().all().all()
    assert app.browser.isna().all() and app.referrer_type.isna().all()
    views = events[events.key == "[CLY]_view"]
    assert views.segmentation.map(lambda m: dict(m)["name"]).notna().all()
    buys = events[events.key == "in_app_purchase"]
    assert (buys["sum"] > 0).all()
    assert buys.segmentation.map(lambda m: set(dict(m))).eq({"app_version", "country"}).all()


def test_web_sessions_carry_acquisition_and_technology():
    sessions, _ = _frames()
    web = sessions[sessions.site_id != sites.COUNTLY]
    assert set(web.referrer_type) <= set(model.REFERRER_TYPES)
    search = web[web.referrer_type == "search"]
    assert search.search_term.notna().mean() > 0.8
    assert not web.referrer_domain.dropna().str.startswith("www.").any()
    people = web[~web.is_bot]
    assert (
        people[["browser", "os", "user_agent", "screen_resolution", "language"]].notna().all().all()
    )
    assert people.javascript.all()
    assert 0.35 <= (people.pageviews == 1).mean() <= 0.6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": dt.date(2024, 1, 2), "end": dt.date(2024, 1, 1)},
        {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 1, 2), "sites": ["nope"]},
        {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 1, 2), "sessions": -1},
    ],
)
def test_bad_arguments_are_errors(kwargs):
    with pytest.raises(WorkbenchError):
        generate(**kwargs)


@pytest.mark.parametrize("sessions", [0, 7, 300])
def test_tiny_and_empty_volumes(sessions):
    chunks = list(generate(start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 11), sessions=sessions))
    assert len(chunks) == 10
    assert sum(s.num_rows for s, _ in chunks) == sessions
    for s, e in chunks:
        assert s.schema == model.SESSIONS.schema and e.schema == model.EVENTS.schema
    app_only = list(
        generate(start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 3), sites=[sites.COUNTLY])
    )
    assert all(s.num_rows for s, _ in app_only)
    assert list(generate(start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 1))) == []
