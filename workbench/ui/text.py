"""Text from data or users shown in Streamlit's markdown elements as it is: markup escaped."""

from __future__ import annotations

MARKUP = frozenset("\\`*_{}[]()#!<>|~$")  # what Streamlit's markdown acts on inline


def plain(text: object) -> str:
    """``text`` with every markup character backslash-escaped, so a message, a name from
    the data or a value from a link shows literally (no link, emphasis, HTML or LaTeX)."""
    return "".join("\\" + c if c in MARKUP else c for c in str(text))
