"""JSON: UTF-8, key order kept, safe to embed in HTML and JavaScript."""

from __future__ import annotations

import json
import math
import re

from workbench.encoders.base import Encoded

MEDIA_TYPE = "application/json; charset=utf-8"

# Characters that could end a <script> block or a JS string literal when the JSON is
# embedded, and lone surrogates (not UTF-8): written as \u escapes, which JSON parsers
# read back as the same characters. They only ever occur inside JSON strings.
_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _finite(value: object) -> object:
    """``value`` with NaN and infinities (not JSON) replaced by None, containers rebuilt."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dumps(document: object, *, indent: int | None = None, escape_slashes: bool = False) -> str:
    """JSON text of ``document``: compact unless ``indent``; ``escape_slashes`` writes ``\\/``."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        _finite(document),
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=separators,
    )
    text = _UNSAFE.sub(_escape, text)
    return text.replace("/", "\\/") if escape_slashes else text


def encode_json(
    document: object, *, indent: int | None = None, escape_slashes: bool = False
) -> Encoded:
    """``document`` as UTF-8 JSON (``application/json``)."""
    return Encoded(
        dumps(document, indent=indent, escape_slashes=escape_slashes).encode(), MEDIA_TYPE
    )
