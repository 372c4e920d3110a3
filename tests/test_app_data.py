"""The Data page's second half: open or create a store for the browser session, import a CSV
through the ingestion path with a column mapping, and every page then showing that store
(AppTest of the real app on real stores under tmp_path); the page's pure checks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from markdown_text import read
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench.core import Workbench
from workbench.errors import WorkbenchError
from workbench.reports import top_locations
from workbench.sites import add_site
from workbench.store import Store
from workbench.timeframe import Interval, local_date
from workbench.ui import data

ROOT = Path(__file__).resolve().parent.parent
DATA_PAGE = "workbench/ui/pages/data.py"
GEOGRAPHY = "workbench/ui/pages/geography.py"
PAGES = ("geography", "sessions", "segments", "dashboard", "events", "console")
SITE = "shop"
ZONE = "Europe/Helsinki"


def app() -> AppTest:
    sample()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not test.exception, test.exception
    test.switch_page(DATA_PAGE)
    return rerun(test)


def rerun(test: AppTest) -> AppTest:
    test.run()
    assert not test.exception, test.exception
    return test


def press(test: AppTest, label: str) -> AppTest:
    buttons = [b for b in (*test.button, *test.form_submit_button) if b.label == label]
    assert buttons, f"no button {label!r}"
    buttons[0].click()
    return rerun(test)


def open_folder(test: AppTest, folder: Path | str, action: str = "Open the store") -> AppTest:
    test.text_input(key="data_folder").set_value(str(folder))
    return press(test, action)


def errors(test: AppTest) -> list[str]:
    """The error messages as shown (markdown escapes taken out)."""
    return [e.value.replace("\\", "") for e in test.error]


def metrics(test: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in test.metric}


def store_with_site(folder: Path) -> Path:
    Store.create(folder).close()
    add_site(Store.open(folder), SITE, now=dt.datetime.now(dt.UTC), time_zone=ZONE)
    return folder


def visits_csv(now: dt.datetime) -> bytes:
    """Four visits of three visitors in the last days, and one with an unreadable start."""
    starts = [now - dt.timedelta(days=d, hours=1) for d in (1, 2, 2, 5)]
    rows = ["uid,started,Pages,is_new,country,plan"]
    rows += [
        f"v{i % 3},{s.isoformat()},{4 - i},{str(i < 3).lower()},{c},gold"
        for i, (s, c) in enumerate(zip(starts, ("FI", "FI", "US", "SE"), strict=True))
    ]
    rows.append("v9,not a date,1,true,FI,free")
    return ("\n".join(rows) + "\n").encode()


def upload(test: AppTest, name: str, body: bytes) -> AppTest:
    test.file_uploader(key="data_upload").set_value((name, body, "text/csv"))
    return rerun(test)


# -- the page, driven as a person drives it -------------------------------------------------


def test_a_new_store_from_the_page_takes_an_import_and_every_page_shows_it(tmp_path) -> None:
    folder = tmp_path / "my-store"
    test = open_folder(app(), folder, "Create a new store here")
    assert str(folder) in [c.value for c in test.code]
    assert metrics(test)["Sessions"] == "0"
    assert any("Add a site first" in i.value for i in test.info)
    test.switch_page(GEOGRAPHY)
    assert "This store has no sites yet" in rerun(test).info[0].value  # no traceback
    test.switch_page(DATA_PAGE)
    test = rerun(test)

    test.text_input(key="data_new_site").set_value(SITE)
    test.text_input(key="data_new_name").set_value("shop.example.com")
    test.selectbox(key="data_new_zone").set_value(ZONE)
    test = press(test, "Add the site")
    assert f"Site {SITE} added." in [read(s.value) for s in test.success]
    assert test.selectbox(key="data_site").value == SITE

    test = upload(test, "visits.csv", visits_csv(dt.datetime.now(dt.UTC)))
    guessed = [test.selectbox(key=f"data_map_{i}").value for i in range(6)]
    assert guessed == ["visitor_id", "start_ts", "", "is_new", "country_code", ""]
    assert any("pageviews" in e for e in errors(test)), "a required column is unmapped"
    test.selectbox(key="data_map_2").set_value("pageviews")
    test = rerun(test)
    assert not test.error
    test = press(test, f"Import into sessions of {SITE}")

    shown = metrics(test)
    assert (shown["Input records"], shown["Stored"], shown["Rejected"]) == ("5", "4", "1")
    assert shown["Sessions"] == "4"  # the store's counts, after the import
    rejects = Path(test.code[-1].value)
    assert rejects.parent == folder.resolve() / "rejects"
    [reject] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert reject["line"] == 6 and reject["raw"].startswith("v9,not a date")
    wb = Workbench.open(folder)
    stored = wb.sql("SELECT * FROM sessions ORDER BY start_ts DESC")
    assert stored["pageviews"].tolist() == [4, 3, 2, 1]
    assert dict(stored["source_fields"].iloc[0]) == {"plan": "gold"}

    test.switch_page(GEOGRAPHY)
    test = rerun(test)
    today = local_date(wb.clock(dt.datetime.now(dt.UTC), ZONE).now, ZONE)
    interval = Interval.from_dates(today - dt.timedelta(days=29), today, ZONE)  # the 30 days
    expected = top_locations(wb, interval, "country", sites=(SITE,)).frame
    assert expected["country_code"].tolist()[0] == "FI" and expected["sessions"].sum() == 4
    shown = test.dataframe[0].value
    assert shown["sessions"].tolist()[:-1] == expected["sessions"].tolist()
    assert shown["users"].tolist()[:-1] == expected["users"].tolist()
    assert metrics(test) == {"Users": f"{expected['users'].sum():,}", "Sessions": "4"}

    test.switch_page(DATA_PAGE)
    test = press(rerun(test), "Back to the app's store")
    assert metrics(test)["as_of"] == "2024-11-19"


def test_a_store_opened_by_path_and_the_same_file_twice_is_all_duplicates(tmp_path) -> None:
    folder = store_with_site(tmp_path / "store")
    test = open_folder(app(), folder)
    assert [s.value for s in test.success] == ["Opened the store at:"]
    body = visits_csv(dt.datetime.now(dt.UTC))
    for stored, duplicates in (("4", "0"), ("0", "4")):
        test = upload(test, "v.csv", body)
        test.selectbox(key="data_map_2").set_value("pageviews")
        test = press(rerun(test), f"Import into sessions of {SITE}")
        assert (metrics(test)["Stored"], metrics(test)["Duplicates"]) == (stored, duplicates)
    assert metrics(test)["Sessions"] == "4"


def test_a_parquet_file_of_events(tmp_path) -> None:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    events = pa.table({
        "session": ["s1", "s1", "s2"], "visitor_id": ["v1", "v1", "v2"],
        "timestamp": [now - dt.timedelta(hours=h) for h in (3, 2, 1)], "seq": [1, 2, 1],
        "type": ["pageview", "custom", "pageview"], "event": [None, "signup", None],
    })  # fmt: skip
    body = io.BytesIO()
    pq.write_table(events, body)
    test = open_folder(app(), store_with_site(tmp_path / "store"))
    test.radio(key="data_table").set_value("events")
    test = upload(rerun(test), "events.parquet", body.getvalue())
    guessed = [test.selectbox(key=f"data_map_{i}").value for i in range(6)]
    assert guessed == ["session_id", "visitor_id", "ts", "seq", "type", "key"]
    test = press(test, f"Import into events of {SITE}")
    assert (metrics(test)["Stored"], metrics(test)["Events"]) == ("3", "3")
    stored = Workbench.open(tmp_path / "store").sql("SELECT key FROM events WHERE key IS NOT NULL")
    assert stored["key"].tolist() == ["signup"]


def test_every_page_runs_on_a_store_with_a_site_and_no_data_yet(tmp_path) -> None:
    test = open_folder(app(), store_with_site(tmp_path / "store"))
    for name in PAGES:
        test.switch_page(f"workbench/ui/pages/{name}.py")
        test = rerun(test)
        assert test.title and not test.error, (name, errors(test))
        assert test.query_params["site"] == SITE and not test.sidebar.warning


def test_bad_folders_are_messages(tmp_path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("hello")
    test = app()
    for folder, action, words in (
        (tmp_path / "missing", "Open the store", "no such folder"),
        (tmp_path / "other", "Open the store", "not a workbench store"),
        (tmp_path / "other" / "notes.txt", "Open the store", "a file, not a folder"),
        (tmp_path / "other", "Create a new store here", "holds other files"),
        ("", "Open the store", "Give the path of a folder."),
    ):
        test = open_folder(test, folder, action)
        assert errors(test) and words in errors(test)[0], (words, errors(test))
    assert metrics(test)["as_of"] == "2024-11-19"  # still the sample
    assert not (tmp_path / "missing").exists()


def test_bad_files_are_messages(tmp_path) -> None:
    test = open_folder(app(), store_with_site(tmp_path / "store"))
    for name, body, words in (
        ("v.parquet", b"this is not parquet", "not a readable Parquet file"),
        ("v.csv", b"", "no columns found"),
        ("v.csv", b"uid,when\nv1,2024-01-01\n", "no column for required sessions column(s)"),
        ("v.csv", b"start_ts,started\n1,2\n", "visitor_id"),
    ):
        test = upload(test, name, body)
        assert errors(test) and words in errors(test)[0], (name, errors(test))
        assert not [b for b in test.button if b.label.startswith("Import into")]
    assert metrics(test)["Sessions"] == "0"


def test_the_sample_store_refuses_imports() -> None:
    test = app()
    assert "The bundled sample store takes no imports" in test.info[-1].value
    assert not test.file_uploader


# -- the pure checks -------------------------------------------------------------------------


def test_guess_takes_names_aliases_and_each_model_column_once() -> None:
    names = ["Visitor ID", "uid", "started", "site_id", "ts", "Country"]
    assert data.guess("sessions", names) == {
        "Visitor ID": "visitor_id",
        "uid": "",  # visitor_id is taken already
        "started": "start_ts",
        "site_id": "",  # from the site chooser
        "ts": "",
        "Country": "country_code",
    }
    assert data.guess("events", ["timestamp", "ts"])["timestamp"] == ""  # ts is taken by name


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        ({"a": "visitor_id", "b": "visitor_id"}, "chosen for two file columns: a and b"),
        ({"start_ts": "", "x": "visitor_id"}, "file column start_ts is named like"),
    ],
)
def test_mapping_errors_name_the_columns(choices: dict[str, str], words: str) -> None:
    with pytest.raises(WorkbenchError, match=words):
        data.mapping("sessions", choices)


def test_check_mapping_is_the_ingestion_plan() -> None:
    choices = {"uid": "visitor_id", "t": "start_ts", "p": "pageviews", "is_new": "is_new", "z": ""}
    plan = data.check_mapping("sessions", choices, "f.csv")
    assert plan.unknown == ("z",) and plan.keep_unknown
    filled = data.plan_frame(plan).set_index("column")["from"]
    assert (filled["visitor_id"], filled["session_id"], filled["source_fields"]) == (
        "uid", "(derived)", "z",
    )  # fmt: skip
    with pytest.raises(WorkbenchError, match="pageviews"):
        data.check_mapping("sessions", {**choices, "p": ""}, "f.csv")


def test_folders(tmp_path) -> None:
    assert data.folder_kind(tmp_path / "new") == "missing"
    assert data.create_store(str(tmp_path / "new")) == (tmp_path / "new").resolve()
    assert data.folder_kind(tmp_path / "new") == "store"
    assert data.check(str(tmp_path / "new"), data.OPEN_PROBLEMS) == (tmp_path / "new").resolve()
    with pytest.raises(WorkbenchError, match="a store is already there"):
        data.create_store(str(tmp_path / "new"))
    with pytest.raises(WorkbenchError, match="expected one of"):
        data.stage(tmp_path, "visits.xlsx", b"")
