"""Forget a visitor: delete their sessions and events from every site in one batch."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import invalid
from workbench.ingest.rewrite import MATCHING, delete_rows
from workbench.store import Store


@dataclass(frozen=True)
class Forgotten:
    """How many of a visitor's sessions and events were deleted."""

    visitor_id: str
    sessions: int
    events: int


def forget(store: Store, visitor_id: str) -> Forgotten:
    """Delete every session and event of ``visitor_id`` (files holding them are rewritten
    without them; the old files are retired and deleted after the store's grace period)."""
    if not isinstance(visitor_id, str) or not visitor_id:
        raise invalid("VISITOR_ID", visitor_id, "a non-empty visitor id")
    with store.batch() as batch:
        counts = {t: delete_rows(batch, t, "visitor_id", visitor_id) for t in MATCHING}
    return Forgotten(visitor_id, counts["sessions"], counts["events"])
