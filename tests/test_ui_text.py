"""Messages and names shown through Streamlit's markdown keep their text: markup escaped."""

from __future__ import annotations

import pytest

from workbench.ui.text import plain


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words, 42", "plain words, 42"),
        (
            "[click](http://evil.example)",
            r"\[click\]\(http://evil.example\)",
        ),
        ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
        ("<script>x</script>", r"\<script\>x\</script\>"),
        ("$x^2$ ~strike~ | # h", r"\$x^2\$ \~strike\~ \| \# h"),
        ("C:\\path", r"C:\\path"),
    ],
)
def test_markup_is_escaped(text: str, shown: str) -> None:
    assert plain(text) == shown
