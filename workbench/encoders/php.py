"""PHP serialize(): the text PHP's unserialize() reads back (string lengths in UTF-8 bytes)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal

from workbench.encoders.base import Encoded, utf8_safe

MEDIA_TYPE = "text/plain; charset=utf-8"
_INT_KEY = re.compile(r"0|-?[1-9][0-9]*")  # string keys PHP stores as integers
_INT64 = range(-(2**63), 2**63)


def php_float(value: float) -> str:
    """A float as PHP writes it (serialize_precision -1): shortest digits, ``1.0E+25`` style."""
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    _, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent) if text != "0" else 1  # digits before the point
    minus = "-" if math.copysign(1.0, value) < 0 else ""
    if point > 17 or point < -3:  # PHP's switch to exponent form (zend_gcvt, 17 digits)
        mantissa = text[0] + "." + (text[1:] or "0")
        return f"{minus}{mantissa}E{point - 1:+d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    whole, fraction = text[:point].ljust(point, "0"), text[point:]
    return f"{minus}{whole}.{fraction}" if fraction else f"{minus}{whole}"


def _string(text: str) -> str:
    text = utf8_safe(text)
    return f's:{len(text.encode())}:"{text}";'


def _key(key: object) -> str:
    if isinstance(key, bool | int):
        return f"i:{int(key)};"
    if key is None:
        return _string("")
    if isinstance(key, str):
        if _INT_KEY.fullmatch(key) and int(key) in _INT64:
            return f"i:{key};"
        return _string(key)
    raise TypeError(f"php array key: {key!r} is a {type(key).__name__}; expected str or int")


def serialize(value: object) -> str:
    """``value`` (None, bool, int, float, str, list, tuple, dict) in PHP's serialize() format."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{php_float(value)};"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        value = dict(enumerate(value))
    if isinstance(value, Mapping):
        items = "".join(_key(k) + serialize(v) for k, v in value.items())
        return f"a:{len(value)}:{{{items}}}"
    raise TypeError(f"php serialize: {type(value).__name__} values are not supported")


def encode_php(document: object) -> Encoded:
    """``document`` as a PHP serialized string (UTF-8)."""
    return Encoded(serialize(document).encode(), MEDIA_TYPE)
