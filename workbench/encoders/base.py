"""What every encoder shares: the Encoded result, the Table document and cell text rules."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.errors import WorkbenchError

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Encoded:
    """An encoded document: the bytes to send and their media type."""

    body: bytes
    media_type: str


Encoder = Callable[..., Encoded]


@dataclass(frozen=True)
class Table:
    """A tabular document: column names and rows of plain values, in order."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    @classmethod
    def of(cls, columns: Iterable[object], rows: Iterable[Iterable[object]]) -> Table:
        """A Table from any iterables; each row must have one value per column."""
        names = tuple(str(c) for c in columns)
        body = tuple(tuple(r) for r in rows)
        for number, row in enumerate(body, 1):
            if len(row) != len(names):
                raise WorkbenchError(
                    "invalid_table",
                    f"row {number}: has {len(row)} values; expected {len(names)} "
                    f"(one per column: {', '.join(names)})",
                )
        return cls(names, body)


def as_table(document: object) -> Table:
    """A Table from a Table, a ``{"columns": [...], "rows": [...]}`` dict or a list of records.

    Records (dicts) give their keys as columns, in first-seen order; a missing key is None.
    """
    if isinstance(document, Table):
        return document
    if isinstance(document, Mapping) and set(document) == {"columns", "rows"}:
        return Table.of(document["columns"], document["rows"])
    records = isinstance(document, Sequence) and not isinstance(document, str | bytes)
    if records and all(isinstance(r, Mapping) for r in document):
        columns: dict[Any, None] = {}
        for record in document:
            columns.update(dict.fromkeys(record))
        return Table.of(columns, ([r.get(c) for c in columns] for r in document))
    raise WorkbenchError(
        "invalid_table",
        f"a table is expected: a Table, {{'columns': [...], 'rows': [...]}} or a list of "
        f"records; got {type(document).__name__}",
    )


def cell_text(value: object) -> str:
    """The text of one value: None and NaN empty, booleans lower-case, floats as repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def utf8_safe(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot carry) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
