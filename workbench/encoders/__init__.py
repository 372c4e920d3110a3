"""The encoders' registry: a format name → a pure function from a document to bytes + media type.

Encoders know nothing of vendors. A dialect shapes a document (plain data: dicts in key
order, lists, str, int, float, bool, None; for tabular formats a ``Table`` or a list of
records) and ``encode(format, document, **options)`` turns it into ``Encoded``.
"""

from __future__ import annotations

from workbench.encoders.base import Encoded, Encoder, Table, as_table, cell_text
from workbench.encoders.csv import encode_csv
from workbench.encoders.html import encode_html
from workbench.encoders.jqgrid import encode_jqgrid
from workbench.encoders.json import encode_json
from workbench.encoders.jsonp import check_js_name, encode_json_var, encode_jsonp
from workbench.encoders.php import encode_php
from workbench.encoders.png import encode_png
from workbench.encoders.xml import encode_xml
from workbench.errors import invalid

ENCODERS: dict[str, Encoder] = {
    "json": encode_json,
    "jsonp": encode_jsonp,
    "json_var": encode_json_var,
    "csv": encode_csv,
    "html": encode_html,
    "xml": encode_xml,
    "php": encode_php,
    "png": encode_png,
    "jqgrid": encode_jqgrid,
}


def encode(format: str, document: object, **options: object) -> Encoded:
    """``document`` in ``format`` (a key of ``ENCODERS``), with that encoder's options."""
    encoder = ENCODERS.get(format)
    if encoder is None:
        raise invalid("format", format, ENCODERS)
    return encoder(document, **options)


__all__ = [
    "ENCODERS",
    "Encoded",
    "Encoder",
    "Table",
    "as_table",
    "cell_text",
    "check_js_name",
    "encode",
]
