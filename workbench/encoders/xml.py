"""XML: nested data as always well-formed UTF-8 XML (names checked, text escaped, illegal chars removed).

Mapping rules: a dict's keys are child elements, except ``"@name"`` keys (attributes of the
element itself) and ``"#text"`` (its text). A list is a run of ``item_tag`` elements inside
its parent; with ``repeat_lists`` a list under key K is instead K repeated once per entry
(``{"type": [a, b]}`` → ``<type>a</type><type>b</type>``). None is an empty element.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from workbench.encoders.base import Encoded, cell_text
from workbench.errors import invalid

MEDIA_TYPE = "application/xml; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
# An XML 1.0 Name without ':' (an NCName), so namespace-aware parsers accept it too.
XML_NAME = re.compile(f"[{_START}][{_START}\\-.0-9\u00b7\u0300-\u036f\u203f\u2040]*")
XML_NAME_RULE = "an XML name: a letter or '_', then letters, digits, '_', '-' or '.'"
_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('[&<>\r"\t\n]')


def xml_chars(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/F)."""
    return _ILLEGAL.sub("", text)


def _text(value: object) -> str:
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group()], xml_chars(cell_text(value)))


def _attr(value: object) -> str:
    return _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES[m.group()], xml_chars(cell_text(value)))


def check_name(name: object, param: str = "xml name") -> str:
    """``name`` as an element or attribute name, or an error."""
    text = str(name)
    if not XML_NAME.fullmatch(text):
        raise invalid(param, name, XML_NAME_RULE)
    return text


class _Writer:
    def __init__(self, item_tag: str, repeat_lists: bool, indent: int | None) -> None:
        self.item_tag = check_name(item_tag, "item_tag")
        self.repeat_lists = repeat_lists
        self.indent = indent
        self.parts: list[str] = []

    def _newline(self, depth: int) -> None:
        if self.indent is not None:
            self.parts.append("\n" + " " * (self.indent * depth))

    def _split(self, value: object) -> tuple[str, object, list[tuple[str, object]]]:
        """The attributes, the text and the child elements of one value."""
        if isinstance(value, list | tuple):
            return "", None, [(self.item_tag, entry) for entry in value]
        if not isinstance(value, Mapping):
            return "", value, []
        attrs, text, children = "", None, []
        for key, child in value.items():
            key = str(key)
            if key.startswith("@"):
                if isinstance(child, Mapping | list | tuple):
                    raise invalid(
                        "xml attribute", key, "a plain value (text or number), not a container"
                    )
                attrs += f' {check_name(key[1:], "xml attribute")}="{_attr(child)}"'
            elif key == "#text":
                text = child
            elif isinstance(child, list | tuple) and self.repeat_lists:
                children += [(key, entry) for entry in child]
            else:
                children.append((key, child))
        return attrs, text, children

    def element(self, tag: str, value: object, depth: int) -> None:
        name = check_name(tag)
        attrs, text, children = self._split(value)
        if not children and text is None:
            self.parts.append(f"<{name}{attrs}/>")
            return
        self.parts.append(f"<{name}{attrs}>" + ("" if text is None else _text(text)))
        pretty = text is None  # never add whitespace to an element that has text
        for child_tag, child in children:
            if pretty:
                self._newline(depth + 1)
            self.element(child_tag, child, depth + 1)
        if children and pretty:
            self._newline(depth)
        self.parts.append(f"</{name}>")


def encode_xml(
    document: object,
    *,
    root: str = "response",
    item_tag: str = "item",
    repeat_lists: bool = False,
    indent: int | None = None,
    declaration: bool = True,
) -> Encoded:
    """``document`` as the element ``root`` (see the module's mapping rules), UTF-8."""
    writer = _Writer(item_tag, repeat_lists, indent)
    writer.element(root, document, 0)
    text = (DECLARATION if declaration else "") + "".join(writer.parts) + "\n"
    return Encoded(text.encode(), MEDIA_TYPE)
