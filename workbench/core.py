"""The Workbench: one opened store and the library calls every front end makes on it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.engines import DuckDBEngine, Engine
from workbench.errors import invalid
from workbench.execute import run
from workbench.paths import default_sample_store
from workbench.query import Query, Result
from workbench.sample.build import Progress, ensure_sample_store
from workbench.store import Store
from workbench.timeframe import zone as zone_info
from workbench.values import plain

if TYPE_CHECKING:
    from workbench.api import Response

IDENTITY_COLUMNS = (
    "opentracker_site",
    "opentracker_login",
    "clicky_site_id",
    "countly_app_id",
    "giosg_org_id",
)


@dataclass(frozen=True)
class Clock:
    """The 'now' a front end uses, and where it came from (shown to the analyst)."""

    now: dt.datetime
    source: str  # "sample as_of 2024-11-19" or "wall clock"


class Workbench:
    """An opened store: the sample (``path=None``, built on first use) or the analyst's own."""

    def __init__(self, store: Store, *, is_sample: bool = False) -> None:
        self.store = store
        self.is_sample = is_sample
        self._sites: tuple[int, pd.DataFrame] | None = None

    @classmethod
    def open(cls, path: str | Path | None = None, *, progress: Progress | None = None) -> Workbench:
        """Open the store at ``path``; None opens the sample store, building it if needed."""
        if path is None:
            return cls(
                Store.open(ensure_sample_store(default_sample_store(), progress)), is_sample=True
            )
        return cls(Store.open(path))

    @property
    def path(self) -> Path:
        return self.store.root

    @property
    def as_of(self) -> dt.date | None:
        """The sample's fixed 'today'; None for stores users build (they run on the wall clock)."""
        return self.store.as_of

    def clock(self, wall: dt.datetime, zone: str = "UTC") -> Clock:
        """'now' for a front end: the end of the as_of day in ``zone`` if the store has one."""
        if self.as_of is None:
            return Clock(wall, "wall clock")
        end = dt.datetime.combine(self.as_of, dt.time(23, 59, 59, 999000), zone_info(zone))
        return Clock(end.astimezone(dt.UTC), f"sample as_of {self.as_of.isoformat()}")

    def sql(self, query: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run SQL with bound parameters on the latest data (tables: sites, sessions, events)."""
        return self.store.sql(query, params)

    def query(self, q: Query, engine: Engine | None = None) -> Result:
        """Run ``q`` (on DuckDB unless another engine is given); unknown sites are an error."""
        for site_id in q.sites:
            self.site(site_id)
        return run(q, engine or self.engine)

    def request(
        self,
        url: str,
        body: bytes | str | None = None,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        client: str | None = None,
        now: dt.datetime | None = None,
    ) -> Response:
        """Answer a documented vendor request (path and query string) on this store."""
        from workbench.api import request

        return request(self, url, body, method, headers, client, now)

    @cached_property
    def engine(self) -> DuckDBEngine:
        return DuckDBEngine(self.store)

    def site(self, site_id: str) -> dict[str, object]:
        """One site's row (no secrets); an unknown id is an error listing the valid ones."""
        sites = self.sites()
        match = sites[sites["site_id"] == site_id]
        if match.empty:
            raise invalid("site", site_id, sites["site_id"].tolist(), code="unknown_site")
        return {k: _plain(v) for k, v in match.iloc[0].items()}

    def sites(self) -> pd.DataFrame:
        """The sites with their time zones and vendor identities (no secrets).

        Read once per committed store version: every query checks its sites against it.
        """
        version = self.store.snapshot.version
        if self._sites is None or self._sites[0] != version:
            cols = ", ".join(("site_id", "name", "kind", "time_zone", *IDENTITY_COLUMNS))
            self._sites = (version, self.sql(f"SELECT {cols} FROM sites ORDER BY site_id"))
        return self._sites[1].copy()

    def info(self) -> dict[str, object]:
        """The store's extent, row counts, sites, as_of, versions: what `workbench info` prints."""
        snap = self.store.snapshot
        extent = self.sql(
            "SELECT min(start_ts) AS first, max(start_ts) AS last FROM sessions"
        ).iloc[0]
        per_site = self.sql(
            "SELECT site_id, count(*) AS sessions, min(start_ts) AS first, max(start_ts) AS last "
            "FROM sessions GROUP BY site_id ORDER BY site_id"
        )
        return {
            "path": str(self.path),
            "sample": self.is_sample,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "schema_version": snap.schema_version,
            "store_version": snap.version,
            "batches": snap.batches,
            "rows": {t: snap.rows(t) for t in ("sites", "sessions", "events")},
            "files": {t: len(snap.entries(t)) for t in ("sessions", "events")},
            "first_session": _iso(extent["first"]),
            "last_session": _iso(extent["last"]),
            "sites": [
                {**{k: _plain(v) for k, v in row.items()}, **_extent(per_site, row["site_id"])}
                for row in self.sites().to_dict("records")
            ],
        }

    def close(self) -> None:
        self.store.close()


def _extent(per_site: pd.DataFrame, site_id: str) -> dict[str, object]:
    row = per_site[per_site["site_id"] == site_id]
    if row.empty:
        return {"sessions": 0, "first_session": None, "last_session": None}
    r = row.iloc[0]
    return {
        "sessions": int(r["sessions"]),
        "first_session": _iso(r["first"]),
        "last_session": _iso(r["last"]),
    }


def _iso(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _plain(value: object) -> object:
    return plain(value)
