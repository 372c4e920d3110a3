"""Clicky's documents: type → dates → items, in each ``output`` (xml, php, json, csv).

- json: ``[{"type": T, "dates": [{"date": D, "items": [{...}]}]}]``, every value a string
  (``petersonfs/getclicky``'s recorded response); ``json_callback`` / ``json_var`` wrap it.
- php: ``serialize()`` of ``[T => [D => [item, ...]]]``, the triple ``foreach`` of the
  seed's example code.
- xml: ``<response status="ok"><type type="T"><date date="D"><item><value>…</value>…
  </item></date></type></response>``; a nested value (``first_visit``, ``custom``) is a
  child element with its keys as elements (a key that is not an XML name has its other
  characters replaced by ``_``); a list of segment items is a run of ``item`` elements.
- csv: when every type is a tally and the values are per day (``daily=1`` or
  ``hourly=1``), each line is ``date,value`` (``date hour:00,value`` hourly), the types one
  after another in the requested order, no header, as the document says. Otherwise one
  table: ``type,date``, then every item key in first-seen order; ``first_visit`` becomes
  ``first_visit_time`` and ``first_visit_session_id``; ``custom`` is crammed into one
  column as ``key=value; key=value`` (as the document says of CSV); a segment's items are
  rows with a ``segment`` column.
- Errors: json ``[{"error": "..."}]`` (clients test ``data[0].error``), the same array in
  php, ``<response status="fail"><error>...</error></response>`` and a one-column csv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.api import Response
from workbench.encoders import Table, encode

OUTPUTS = ("xml", "php", "json", "csv")
CORS = (("Access-Control-Allow-Origin", "*"),)
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass
class Block:
    """One requested type: its date groups, each a label and its items (newest date first)."""

    type: str
    dates: list[tuple[str, list[dict]]] = field(default_factory=list)
    tally: bool = False
    per_day: bool = False


@dataclass(frozen=True)
class Wrapping:
    """How json is wrapped: a ``json_callback`` call or a ``json_var`` assignment."""

    callback: str | None = None
    var: str | None = None


# -- documents ----------------------------------------------------------------------------


def json_document(blocks: list[Block]) -> list[dict]:
    return [
        {"type": b.type, "dates": [{"date": d, "items": items} for d, items in b.dates]}
        for b in blocks
    ]


def php_document(blocks: list[Block]) -> dict:
    return {b.type: {d: items for d, items in b.dates} for b in blocks}


def _xml_name(key: str) -> str:
    name = _NOT_NAME.sub("_", key) or "_"
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


def _xml_value(value: object) -> object:
    """Keys as element names; a list of plain values repeats its key's element (custom data
    with ``custom_keys_multi_values``); a list of items is a run of ``item`` elements."""
    if isinstance(value, dict):
        return {_xml_name(str(k)): _xml_value(v) for k, v in value.items()}
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return {"item": [_xml_value(v) for v in value]}
    return value


def xml_document(blocks: list[Block]) -> dict:
    return {
        "@status": "ok",
        "type": [
            {
                "@type": b.type,
                "date": [
                    {"@date": d, "item": [_xml_value(i) for i in items]} for d, items in b.dates
                ],
            }
            for b in blocks
        ],
    }


def _csv_cells(item: dict) -> dict[str, object]:
    cells: dict[str, object] = {}
    for key, value in item.items():
        if key == "custom" and isinstance(value, dict):
            cells[key] = "; ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, dict):
            cells.update({f"{key}_{k}": v for k, v in value.items()})
        else:
            cells[key] = value
    return cells


def csv_table(blocks: list[Block]) -> tuple[Table, bool]:
    """The csv table, and whether it is the headerless ``date,value`` form."""
    if blocks and all(b.tally and b.per_day for b in blocks):
        rows = []
        for b in blocks:
            for d, items in b.dates:
                for item in items:
                    when = f"{d} {int(item['hour']):02d}:00" if "hour" in item else d
                    rows.append((when, item.get("value", "")))
        return Table.of(("date", "value"), rows), True
    records: list[dict[str, object]] = []
    for b in blocks:
        for d, items in b.dates:
            for item in items:
                if "segment" in item:
                    for inner in item.get("items", []):
                        records.append(
                            {"type": b.type, "date": d, "segment": item["segment"]}
                            | _csv_cells(inner)
                        )
                else:
                    records.append({"type": b.type, "date": d} | _csv_cells(item))
    columns: dict[str, None] = {"type": None, "date": None}
    for record in records:
        columns.update(dict.fromkeys(record))
    rows = [[r.get(c, "") for c in columns] for r in records]
    return Table.of(columns, rows), False


# -- responses ----------------------------------------------------------------------------


def _response(status: int, encoded) -> Response:
    return Response(status, encoded.media_type, encoded.body, CORS)


def _json(document: object, wrapping: Wrapping):
    if wrapping.callback:
        return encode(
            "jsonp", document, callback=wrapping.callback, param="json_callback", comment=False
        )
    if wrapping.var:
        return encode("json_var", document, name=wrapping.var, param="json_var")
    return encode("json", document)


def render(blocks: list[Block], output: str, wrapping: Wrapping = Wrapping()) -> Response:
    """The blocks as a 200 response in ``output``."""
    if output == "json":
        return _response(200, _json(json_document(blocks), wrapping))
    if output == "php":
        return _response(200, encode("php", php_document(blocks)))
    if output == "csv":
        table, bare = csv_table(blocks)
        return _response(200, encode("csv", table, header=not bare))
    return _response(200, encode("xml", xml_document(blocks), repeat_lists=True))


def error(
    message: str, output: str, wrapping: Wrapping = Wrapping(), status: int = 400
) -> Response:
    """Clicky's error answer in ``output`` with ``status``."""
    if output == "json":
        return _response(status, _json([{"error": message}], wrapping))
    if output == "php":
        return _response(status, encode("php", [{"error": message}]))
    if output == "csv":
        return _response(status, encode("csv", Table.of(("error",), [(message,)])))
    document = {"@status": "fail", "error": message}
    return _response(status, encode("xml", document))
