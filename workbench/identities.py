"""Find the site a vendor identity names, with its secrets, for the dialects' credential checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.values import plain

if TYPE_CHECKING:
    from workbench.core import Workbench

IDENTITIES = (
    "opentracker_site",
    "opentracker_login",
    "clicky_site_id",
    "countly_app_id",
    "countly_app_key",
    "countly_api_key",
    "giosg_org_id",
    "giosg_token",
)


def site_by(wb: Workbench, column: str, value: str) -> dict[str, object] | None:
    """The sites row (secrets included) whose ``column`` equals ``value``, or None."""
    if column not in IDENTITIES:
        raise ValueError(f"not an identity column: {column}")
    rows = wb.sql(f"SELECT * FROM sites WHERE {column} = $value LIMIT 1", {"value": value})
    if rows.empty:
        return None
    return {k: plain(v) for k, v in rows.iloc[0].items()}
