"""Sites and their vendor credentials: add, list, show keys, reset a password, remove."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.credentials import hash_password, new_key
from workbench.errors import WorkbenchError, invalid
from workbench.identities import IDENTITIES
from workbench.ingest.rewrite import MATCHING, count_rows, delete_rows
from workbench.model import SITES, conform
from workbench.store import Store
from workbench.store_write import Batch
from workbench.timeframe import check_aware, zone

KINDS = ("web", "app")
SECRETS = ("clicky_sitekey", "countly_app_key", "countly_api_key", "giosg_token")
PUBLIC = (
    "site_id",
    "name",
    "kind",
    "time_zone",
    "opentracker_site",
    "opentracker_login",
    "clicky_site_id",
    "countly_app_id",
    "giosg_org_id",
    "created",
)
SITE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")
LOGIN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")


@dataclass(frozen=True)
class AddedSite:
    """A new site's row (keys included, never the password hash) and its one-time password."""

    site: dict[str, object]
    password: str | None  # the Opentracker password: shown once, stored only as a hash


@dataclass(frozen=True)
class RemovedSite:
    """A removed site and how many of its sessions and events went with it."""

    site_id: str
    sessions: int
    events: int


def _opentracker(name: str, login: str | None, taken: dict[str, set[str]]) -> dict[str, str]:
    if not login or not LOGIN.match(login):
        raise invalid("--login", login, "an email address (required with --vendor opentracker)")
    return {"opentracker_site": name, "opentracker_login": login}


def _clicky(name: str, login: str | None, taken: dict[str, set[str]]) -> dict[str, str]:
    site_id = str(10_000_000 + secrets.randbelow(90_000_000))
    while site_id in taken["clicky_site_id"]:
        site_id = str(10_000_000 + secrets.randbelow(90_000_000))
    return {"clicky_site_id": site_id, "clicky_sitekey": new_key(8)}


def _countly(name: str, login: str | None, taken: dict[str, set[str]]) -> dict[str, str]:
    # app_id: 24 hex like a Mongo ObjectId; app_key: 40 hex (write); api_key: 32 hex (read)
    return {
        "countly_app_id": new_key(12),
        "countly_app_key": new_key(20),
        "countly_api_key": new_key(16),
    }


def _giosg(name: str, login: str | None, taken: dict[str, set[str]]) -> dict[str, str]:
    return {"giosg_org_id": str(uuid.uuid4()), "giosg_token": new_key(16)}


VENDORS: dict[str, Callable[[str, str | None, dict[str, set[str]]], dict[str, str]]] = {
    "opentracker": _opentracker,
    "clicky": _clicky,
    "countly": _countly,
    "giosg": _giosg,
}


def add_site(
    store: Store,
    site_id: str,
    *,
    now: dt.datetime,
    name: str | None = None,
    kind: str = "web",
    time_zone: str = "UTC",
    vendors: Iterable[str] = (),
    login: str | None = None,
) -> AddedSite:
    """Add a site with new credentials for each vendor in ``vendors``; one store batch."""
    name = name or site_id
    vendors = tuple(dict.fromkeys(vendors))
    if not isinstance(site_id, str) or not SITE_ID.match(site_id):
        raise invalid("site", site_id, "letters, digits, '.', '_' or '-' (at most 100)")
    if kind not in KINDS:
        raise invalid("--kind", kind, KINDS)
    zone(time_zone, param="--time-zone")
    for vendor in vendors:
        if vendor not in VENDORS:
            raise invalid("--vendor", vendor, VENDORS)
    if login is not None and "opentracker" not in vendors:
        raise invalid("--login", login, "no login without --vendor opentracker")
    row: dict[str, object] = {"site_id": site_id, "name": name, "kind": kind}
    row |= {"time_zone": time_zone, "created": check_aware(now, "now")}
    password = secrets.token_urlsafe(12) if "opentracker" in vendors else None
    with store.batch() as batch:
        sites = _sites(batch)
        if site_id in sites.column("site_id").to_pylist():
            raise WorkbenchError("site_exists", f"site {site_id!r} already exists")
        taken = {c: set(sites.column(c).drop_null().to_pylist()) for c in IDENTITIES}
        for vendor in vendors:
            row |= VENDORS[vendor](name, login, taken)
        for column in IDENTITIES:
            if row.get(column) in taken[column]:
                raise WorkbenchError(
                    "identity_taken", f"{column} {row[column]!r} is already used by another site"
                )
        if password:
            row["opentracker_password_hash"] = hash_password(password)
        batch.put_sites(pa.concat_tables([sites, _row_table(row)]))
    shown = {k: v for k, v in row.items() if k != "opentracker_password_hash"}
    return AddedSite(shown, password)


def list_sites(store: Store) -> pd.DataFrame:
    """Every site with its public identities (no keys, tokens or hashes), by site_id."""
    return store.sql(f"SELECT {', '.join(PUBLIC)} FROM sites ORDER BY site_id")


def site_keys(store: Store, site_id: str) -> dict[str, object]:
    """One site's identities and keys; never the password, which only exists as a hash."""
    columns = ", ".join((*PUBLIC, *SECRETS))
    rows = store.sql(f"SELECT {columns} FROM sites WHERE site_id = $id", {"id": site_id})
    if rows.empty:
        raise _unknown(store, site_id)
    return {k: (None if pd.isna(v) else v) for k, v in rows.iloc[0].items()}


def reset_password(store: Store, site_id: str) -> str:
    """A new Opentracker password for the site (returned once; only its hash is stored)."""
    password = secrets.token_urlsafe(12)
    with store.batch() as batch:
        sites = _sites(batch).to_pylist()
        row = _find(sites, site_id, store)
        if not row.get("opentracker_site"):
            raise WorkbenchError(
                "no_opentracker", f"site {site_id!r} has no Opentracker identity to reset"
            )
        row["opentracker_password_hash"] = hash_password(password)
        batch.put_sites(pa.Table.from_pylist(sites, schema=SITES.schema))
    return password


def remove_site(store: Store, site_id: str, *, force: bool = False) -> RemovedSite:
    """Remove a site; refused while it has sessions or events unless ``force``, which deletes
    them in the same batch (no rows are left pointing at a site that no longer exists)."""
    with store.batch() as batch:
        sites = _sites(batch).to_pylist()
        _find(sites, site_id, store)
        counts = {t: sum(count_rows(batch, t, "site_id", site_id).values()) for t in MATCHING}
        if any(counts.values()) and not force:
            raise WorkbenchError(
                "site_has_data",
                f"site {site_id!r} has {counts['sessions']} sessions and {counts['events']} "
                "events; pass --force to delete them with the site",
            )
        for table in MATCHING:
            delete_rows(batch, table, "site_id", site_id)
        kept = [s for s in sites if s["site_id"] != site_id]
        batch.put_sites(pa.Table.from_pylist(kept, schema=SITES.schema))
    return RemovedSite(site_id, counts["sessions"], counts["events"])


def _sites(batch: Batch) -> pa.Table:
    """The sites table as the batch found it (read under the writers' lock)."""
    paths = batch.base.paths("sites")
    tables = [pq.read_table(p, schema=SITES.schema) for p in paths]
    return pa.concat_tables(tables) if tables else SITES.schema.empty_table()


def _row_table(row: dict[str, object]) -> pa.Table:
    return conform("sites", pa.Table.from_pylist([row], schema=SITES.schema))


def _find(sites: list[dict[str, object]], site_id: str, store: Store) -> dict[str, object]:
    for row in sites:
        if row["site_id"] == site_id:
            return row
    raise _unknown(store, site_id, [str(s["site_id"]) for s in sites])


def _unknown(store: Store, site_id: str, known: list[str] | None = None) -> WorkbenchError:
    if known is None:
        known = store.sql("SELECT site_id FROM sites ORDER BY site_id")["site_id"].tolist()
    return invalid("site", site_id, sorted(known) or "an existing site (none yet)", "unknown_site")
