"""Opentracker's ``dataType``s for a list: json, html, jsondatatable, jsonjqgrid, csv, png.

- json: ``{"resultsList": [{field: value, ...}, ...]}`` (seed 000).
- jsondatatable: Opentracker's "virtual table" that first describes the table (``rows``,
  ``field``, ``label``, ``className``, ``width``, ``caption``, ``pager``, ``nextToken``,
  ``hidden``, ..., ``rowsPerPageOptions``) and then holds the rows as arrays in
  ``resultsList``, in the key order of seed 001's example (``Listing.extra`` goes
  before ``hidden``, ``Listing.trailer`` after it: the session list's ``expandable``,
  ``popUpColumns``, ...).
- jsonjqgrid: jqGrid's standard JSON reader shape ``{total, page, records, rows: [{id,
  cell}]}`` (Opentracker's own is not public).
- html: a table whose cells carry the raw value in a ``sort`` attribute.
- csv: a header of the fields, then the rows (formula cells neutralised).
- png: a bar chart of the list's chart columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.api import Response
from workbench.encoders import Table, encode


@dataclass(frozen=True)
class Listing:
    """A list as Opentracker shows it: fields, their labels, rows of strings, a totals row."""

    fields: Sequence[str]
    labels: Sequence[str]
    rows: list[list[str]]
    totals: list[str] | None = None
    sort_values: list[list[object]] | None = None  # raw values behind the shown strings
    chart: tuple[int, int] = (0, 1)  # (label column, raw value column) for png
    hidden: Sequence[str] = ()
    extra: dict[str, object] = field(default_factory=dict)  # e.g. nextToken
    trailer: dict[str, object] = field(default_factory=dict)  # after hidden (expandable, ...)
    preamble: list[list[str]] = field(default_factory=list)  # csv lines before the header

    @property
    def all_rows(self) -> list[list[str]]:
        return self.rows + ([self.totals] if self.totals is not None else [])


def _json(listing: Listing, **_: object):
    return encode(
        "json",
        {"resultsList": [dict(zip(listing.fields, r, strict=True)) for r in listing.all_rows]},
    )


def _datatable(listing: Listing, **_: object):
    fields = list(listing.fields)
    doc: dict[str, object] = {
        "rows": len(listing.all_rows),
        "field": fields,
        "label": list(listing.labels),
        "className": fields,
        "width": fields,
        "caption": "No caption",
        "pager": "apager",
        **listing.extra,
        "hidden": list(listing.hidden),
        **listing.trailer,
        "rowsPerPageOptions": [20, 40],
        "resultsList": listing.all_rows,
    }
    return encode("json", doc)


def _jqgrid(listing: Listing, **_: object):
    return encode("jqgrid", Table.of(listing.fields, listing.all_rows))


def _html(listing: Listing, **_: object):
    sorts = None
    if listing.sort_values is not None:
        sorts = listing.sort_values + ([listing.totals] if listing.totals is not None else [])
    return encode("html", Table.of(listing.labels, listing.all_rows), sort_values=sorts)


def _csv(listing: Listing, **_: object):
    table = Table.of(listing.fields, listing.all_rows)
    return encode("csv", table, preamble=listing.preamble)


def _png(listing: Listing, title: str = "", **_: object):
    label, value = listing.chart
    raw = listing.sort_values or listing.rows
    bars = [(row[label], raw_row[value]) for row, raw_row in zip(listing.rows, raw, strict=True)]
    return encode("png", Table.of(("label", "value"), bars), title=title)


FORMATS = {  # in the document's order
    "json": _json,
    "html": _html,
    "jsondatatable": _datatable,
    "jsonjqgrid": _jqgrid,
    "csv": _csv,
    "png": _png,
}
DATA_TYPES = tuple(FORMATS)


def render(listing: Listing, data_type: str, *, chart_title: str = "") -> Response:
    """The listing in ``data_type`` as a 200 Response."""
    encoded = FORMATS[data_type](listing, title=chart_title)
    return Response(200, encoded.media_type, encoded.body)
