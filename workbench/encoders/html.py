"""HTML: a table (thead/tbody) as a fragment or a full page, every value escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence

from workbench.encoders.base import Encoded, as_table, cell_text, utf8_safe
from workbench.errors import WorkbenchError

MEDIA_TYPE = "text/html; charset=utf-8"


def escape(value: object) -> str:
    """Text or attribute-safe HTML for one value (quotes escaped; CR kept as ``&#13;``)."""
    return html.escape(cell_text(value), quote=True).replace("\r", "&#13;")


def _attrs(**attrs: object) -> str:
    return "".join(f' {name}="{escape(v)}"' for name, v in attrs.items() if v is not None)


def _row(tag: str, values: Sequence[object], sorts: Sequence[object] | None) -> str:
    if sorts is None:
        cells = (f"<{tag}>{escape(v)}</{tag}>" for v in values)
    else:
        cells = (
            f"<{tag}{_attrs(sort=s)}>{escape(v)}</{tag}>"
            for v, s in zip(values, sorts, strict=True)
        )
    return "<tr>" + "".join(cells) + "</tr>"


def table_html(
    document: object,
    *,
    caption: object = None,
    table_class: object = None,
    sort_values: Sequence[Sequence[object]] | None = None,
) -> str:
    """The ``<table>`` element; ``sort_values`` (one row per row) become ``sort`` attributes."""
    table = as_table(document)
    if sort_values is not None and len(sort_values) != len(table.rows):
        raise WorkbenchError(
            "invalid_table",
            f"sort_values: has {len(sort_values)} rows; expected {len(table.rows)} (one per row)",
        )
    lines = [f"<table{_attrs(**{'class': table_class})}>"]
    if caption is not None:
        lines.append(f"<caption>{escape(caption)}</caption>")
    lines.append("<thead>" + _row("th", table.columns, None) + "</thead>")
    lines.append("<tbody>")
    for number, row in enumerate(table.rows):
        lines.append(_row("td", row, None if sort_values is None else sort_values[number]))
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines) + "\n"


def encode_html(
    document: object,
    *,
    caption: object = None,
    table_class: object = None,
    sort_values: Sequence[Sequence[object]] | None = None,
    full_page: bool = False,
    title: object = None,
    lang: str = "en",
) -> Encoded:
    """A table as HTML: the ``<table>`` fragment, or with ``full_page`` a whole document."""
    text = table_html(document, caption=caption, table_class=table_class, sort_values=sort_values)
    if full_page:
        head = '<meta charset="utf-8">' + (
            f"\n<title>{escape(title)}</title>" if title is not None else ""
        )
        text = (
            f"<!DOCTYPE html>\n<html{_attrs(lang=lang)}>\n<head>\n{head}\n</head>\n"
            f"<body>\n{text}</body>\n</html>\n"
        )
    return Encoded(utf8_safe(text).encode(), MEDIA_TYPE)
