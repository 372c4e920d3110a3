"""What a reader sees of a Streamlit markdown element's source: the text with escapes undone."""

from __future__ import annotations

import re


def read(markdown: str) -> str:
    r"""``site\: 'x'`` -> ``site: 'x'``: each backslash escape shows its character."""
    return re.sub(r"\\(.)", r"\1", markdown)
