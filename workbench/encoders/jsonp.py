"""JSONP and JSON-in-a-variable: JSON wrapped in a named call or assignment, served as JavaScript."""

from __future__ import annotations

import re

from workbench.encoders.base import Encoded
from workbench.encoders.json import dumps
from workbench.errors import invalid

MEDIA_TYPE = "application/javascript; charset=utf-8"
JS_NAME = re.compile(r"[A-Za-z0-9_.]+")
JS_NAME_RULE = "a name of letters, digits, '_' and '.' only (pattern ^[A-Za-z0-9_.]+$)"


def check_js_name(name: object, param: str = "callback") -> str:
    """``name`` if it is a safe JavaScript name; else an error naming ``param``."""
    if not isinstance(name, str) or not JS_NAME.fullmatch(name):
        raise invalid(param, name, JS_NAME_RULE)
    return name


def encode_jsonp(
    document: object,
    *,
    callback: str,
    param: str = "callback",
    comment: bool = True,
    indent: int | None = None,
    escape_slashes: bool = False,
) -> Encoded:
    """``callback(<json>);``, prefixed by ``/**/`` unless ``comment`` is false."""
    name = check_js_name(callback, param)
    json_text = dumps(document, indent=indent, escape_slashes=escape_slashes)
    prefix = "/**/" if comment else ""
    return Encoded(f"{prefix}{name}({json_text});".encode(), MEDIA_TYPE)


def encode_json_var(
    document: object,
    *,
    name: str,
    param: str = "json_var",
    indent: int | None = None,
    escape_slashes: bool = False,
) -> Encoded:
    """``var NAME = <json>;`` (a dotted NAME is assigned as a property, without ``var``)."""
    target = check_js_name(name, param)
    json_text = dumps(document, indent=indent, escape_slashes=escape_slashes)
    statement = f"{target} = {json_text};" if "." in target else f"var {target} = {json_text};"
    return Encoded(statement.encode(), MEDIA_TYPE)
