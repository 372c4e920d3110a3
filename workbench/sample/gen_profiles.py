"""Per-site traffic profiles of the generated sample: volumes, rhythms, audiences, behaviour."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workbench.sample import sites

# Sessions per local hour of the visitor's day (0-23), relative.
HOURLY: dict[str, tuple[float, ...]] = {
    # a business audience: morning rise, afternoon peak, a long evening tail
    "office": (
        1.0,
        0.7,
        0.5,
        0.4,
        0.4,
        0.5,
        0.9,
        1.6,
        2.6,
        3.4,
        3.8,
        3.9,
        3.7,
        3.9,
        4.0,
        3.9,
        3.6,
        3.3,
        3.0,
        3.0,
        3.0,
        2.7,
        2.1,
        1.5,
    ),
    # shoppers: busy all afternoon, highest in the evening
    "shop": (
        1.2,
        0.7,
        0.4,
        0.3,
        0.3,
        0.4,
        0.8,
        1.5,
        2.2,
        2.7,
        3.0,
        3.2,
        3.4,
        3.3,
        3.3,
        3.4,
        3.5,
        3.7,
        3.9,
        4.3,
        4.6,
        4.4,
        3.5,
        2.2,
    ),
    # a mobile game: lunch bump, evening peak, late nights
    "game": (
        1.8,
        1.0,
        0.6,
        0.4,
        0.4,
        0.6,
        1.1,
        1.9,
        2.3,
        2.4,
        2.5,
        2.7,
        3.1,
        3.0,
        2.8,
        2.9,
        3.1,
        3.4,
        3.8,
        4.3,
        4.8,
        5.0,
        4.4,
        3.0,
    ),
}


@dataclass(frozen=True)
class Spike:
    """A day of extra traffic: ``factor`` times the usual, the extra from one channel."""

    date: dt.date
    factor: float
    channel: str  # a key of the site's acquisition channels ('' for none: an app)


@dataclass(frozen=True)
class SiteProfile:
    """Everything that makes one sample site's traffic look like its own."""

    site_id: str
    kind: str  # 'web' or 'app'
    zone: str
    ids: str  # id style: opentracker, clicky, countly, giosg
    daily: float  # sessions a day at AS_OF, before weekly and seasonal factors
    growth: float  # traffic ratio over one year
    weekly: tuple[float, ...]  # Monday .. Sunday
    monthly: tuple[float, ...]  # January .. December, interpolated between mid-months
    hourly: str  # a key of HOURLY
    countries: str  # "CC share CC share ...": the audience; the rest spread by population
    rest: float  # share of the audience outside the listed countries
    devices: dict[str, float]
    returning: float  # target share of sessions by returning visitors
    bots: float  # share of sessions that are automated (web only)
    bounce: float  # share of one-action visits
    actions: dict[str, float]  # mix of actions after the first pageview
    spikes: tuple[Spike, ...] = ()


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


WEEK_B2B = (1.08, 1.12, 1.11, 1.07, 0.96, 0.70, 0.76)
WEEK_SHOP = (1.04, 1.03, 1.01, 1.0, 0.97, 0.90, 1.05)
WEEK_APP = (0.90, 0.88, 0.90, 0.92, 1.02, 1.22, 1.26)

PROFILES: dict[str, SiteProfile] = {
    p.site_id: p
    for p in (
        SiteProfile(
            site_id=sites.OPENTRACKER,
            kind="web",
            zone=sites.site_zone(sites.OPENTRACKER),
            ids="opentracker",
            daily=1900.0,  # seed 000's documented day (2,151 sessions) is a typical Tuesday
            growth=1.12,
            weekly=WEEK_B2B,
            monthly=(1.02, 1.05, 1.06, 1.03, 1.0, 0.95, 0.86, 0.88, 1.02, 1.06, 1.07, 0.85),
            hourly="office",
            # seed 000's top countries for 2024-11-19, with their shares in percent
            countries="IN 25.5 US 20.4 ID 7.4 CH 5.1 PH 4.2 DE 3.0 GB 2.8 CA 2.5 AU 2.2 PK 1.8 "
            "MY 1.7 AE 1.7 BD 1.5 KH 1.2 NG 1.0 FR 0.9 SG 0.8 ZA 0.7 KR 0.7 NZ 0.7 NL 0.7 "
            "JP 0.6 RO 0.6 IT 0.5 MX 0.5 NP 0.4 TH 0.4 SE 0.4 PT 0.4 BE 0.4 VN 0.4 BG 0.4 "
            "QA 0.4 HK 0.3 PL 0.3 LK 0.3 ES 0.3 HU 0.3 TR 0.3 AT 0.3 BR 0.2 EG 0.2 AR 0.2",
            rest=0.06,
            devices={"desktop": 0.66, "mobile": 0.30, "tablet": 0.04},
            returning=0.30,
            bots=0.035,
            bounce=0.47,
            actions={
                "pageview": 0.84,
                "click": 0.05,
                "outbound": 0.04,
                "download": 0.04,
                "search": 0.03,
            },
            spikes=(Spike(_d("2024-03-12"), 2.2, "webinar"), Spike(_d("2024-06-18"), 2.8, "hn")),
        ),
        SiteProfile(
            site_id=sites.CLICKY,
            kind="web",
            zone=sites.site_zone(sites.CLICKY),
            ids="clicky",
            daily=760.0,
            growth=1.18,
            weekly=WEEK_B2B,
            monthly=(1.02, 1.04, 1.05, 1.03, 1.0, 0.96, 0.88, 0.90, 1.02, 1.05, 1.06, 0.86),
            hourly="office",
            countries="US 44 GB 6 CA 5 DE 4.5 IN 4 AU 3 FR 2.5 BR 2.5 NL 2 ES 2 IT 2 SE 1.5 "
            "PL 1.5 JP 1.5 MX 1.5 IE 1 CH 1 BE 1 DK 0.8 NO 0.8 FI 0.6 NZ 0.8 ZA 0.8 PH 0.8 "
            "TR 0.6 RO 0.6 CZ 0.6 AT 0.6 PT 0.5 AR 0.5 SG 0.5 IL 0.5",
            rest=0.04,
            devices={"desktop": 0.72, "mobile": 0.25, "tablet": 0.03},
            returning=0.33,
            bots=0.03,
            bounce=0.42,
            actions={
                "pageview": 0.86,
                "click": 0.05,
                "outbound": 0.05,
                "download": 0.01,
                "search": 0.03,
            },
            spikes=(
                Spike(_d("2023-11-24"), 1.7, "blackfriday"),
                Spike(_d("2024-05-14"), 2.3, "reddit"),
            ),
        ),
        SiteProfile(
            site_id=sites.COUNTLY,
            kind="app",
            zone=sites.site_zone(sites.COUNTLY),
            ids="countly",
            daily=520.0,
            growth=1.45,
            weekly=WEEK_APP,
            monthly=(1.10, 1.0, 0.97, 0.95, 0.95, 1.02, 1.10, 1.08, 0.93, 0.95, 0.98, 1.12),
            hourly="game",
            countries="TR 42 DE 8 GB 4.5 NL 3.5 FR 3.5 AZ 3 RU 3 US 3.5 ES 2.5 IT 2.5 PL 2 "
            "AT 2 BE 2 RO 2 UA 1.5 SE 1.5 GR 1.5 BG 1.5 CY 1 CH 1 DK 0.8 CZ 1 HU 1 PT 1 "
            "GE 1 KZ 1 SA 1 AE 1",
            rest=0.03,
            devices={"mobile": 0.88, "tablet": 0.12},
            returning=0.34,
            bots=0.0,
            bounce=0.0,
            actions={},
            spikes=(Spike(_d("2024-02-14"), 2.6, ""), Spike(_d("2024-09-24"), 1.6, "")),
        ),
        SiteProfile(
            site_id=sites.GIOSG,
            kind="web",
            zone=sites.site_zone(sites.GIOSG),
            ids="giosg",
            daily=400.0,
            growth=1.22,
            weekly=WEEK_SHOP,
            monthly=(1.05, 0.90, 0.92, 0.95, 0.97, 0.90, 0.80, 0.88, 0.95, 1.0, 1.15, 1.30),
            hourly="shop",
            countries="FI 78 SE 6 EE 3 NO 1.5 DE 1.5 GB 1.2 DK 1 US 1 NL 0.6 ES 0.6 FR 0.5",
            rest=0.02,
            devices={"desktop": 0.38, "mobile": 0.56, "tablet": 0.06},
            returning=0.26,
            bots=0.025,
            bounce=0.40,
            actions={
                "pageview": 0.80,
                "click": 0.11,
                "outbound": 0.02,
                "download": 0.01,
                "search": 0.06,
            },
            spikes=(
                Spike(_d("2023-11-24"), 3.0, "blackfriday"),
                Spike(_d("2023-11-27"), 1.9, "cybermonday"),
                Spike(_d("2024-01-08"), 1.6, "sale"),
            ),
        ),
    )
}


SITE_NUMBERS = tuple(PROFILES)  # a site's number salts its ids, whichever sites are chosen


def profile_list(site_ids: tuple[str, ...]) -> tuple[SiteProfile, ...]:
    """The profiles of ``site_ids``, in that order."""
    return tuple(PROFILES[s] for s in site_ids)


def country_shares(profile: SiteProfile) -> dict[str, float]:
    """The listed country shares of a profile, as fractions of the whole audience."""
    parts = profile.countries.split()
    listed = {cc: float(v) for cc, v in zip(parts[::2], parts[1::2], strict=True)}
    total = sum(listed.values())
    return {cc: (1.0 - profile.rest) * v / total for cc, v in listed.items()}
