"""CSV: RFC 4180 (CRLF, doubled quotes, quoting when needed) with spreadsheet formulas defused."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from workbench.encoders.base import Encoded, as_table, cell_text, utf8_safe

MEDIA_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number a spreadsheet reads as a number, never as a formula: "-12.5", "3", "-1e5".
PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def safe_cell(value: object) -> str:
    """The cell text; a string that a spreadsheet would run as a formula gets a leading ``'``."""
    text = cell_text(value)
    if (
        isinstance(value, str)
        and text.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(text)
    ):
        return "'" + text
    return text


def encode_csv(
    document: object,
    *,
    header: bool = True,
    preamble: Iterable[Sequence[object]] = (),
    delimiter: str = ",",
    bom: bool = False,
) -> Encoded:
    """A table as CSV: ``preamble`` rows, then the header row (unless ``header`` is false), then rows.

    ``bom`` prefixes a UTF-8 byte order mark (for spreadsheet programs that need one).
    """
    table = as_table(document)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    rows: list[Iterable[object]] = list(preamble)
    if header:
        rows.append(table.columns)
    rows.extend(table.rows)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    body = utf8_safe(out.getvalue()).encode()
    return Encoded(b"\xef\xbb\xbf" + body if bom else body, MEDIA_TYPE)
