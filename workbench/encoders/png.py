"""PNG: a horizontal bar chart (label → value) of a table, drawn by plotly and kaleido."""

from __future__ import annotations

import html
import threading

from workbench.encoders.base import Encoded, Table, as_table, cell_text
from workbench.encoders.xml import xml_chars
from workbench.errors import WorkbenchError, invalid

MEDIA_TYPE = "image/png"
LABEL_CHARS = 40  # longer labels are cut with an ellipsis
SIZE_RANGE = range(50, 4001)
_server_lock = threading.Lock()
_server_started = False


def start_renderer() -> None:
    """Start kaleido's browser once per process and keep it (a render is then ~0.2 s, not ~2.5 s).

    MathJax is off: kaleido would load it from a CDN, and nothing is fetched from the network.
    """
    global _server_started
    with _server_lock:
        if not _server_started:
            import kaleido

            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            _server_started = True


def _label(value: object) -> str:
    """Chart text on one line: plotly reads a few HTML tags in labels, so ``&<>`` are written
    as entities; characters the chart's SVG cannot hold (controls, U+FFFE/F) are dropped."""
    text = " ".join(xml_chars(cell_text(value)).split())
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1] + "…"
    return html.escape(text, quote=False)


def _number(value: object, column: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise WorkbenchError(
            "invalid_table", f"{column}: {value!r} is not a number; a chart needs numbers"
        ) from None


def _column(table: Table, name: str | None, default: int, param: str) -> int:
    if name is None:
        return default
    if name not in table.columns:
        raise invalid(param, name, table.columns)
    return table.columns.index(name)


def bar_chart(
    table: Table, label_index: int, value_index: int, title: object, max_bars: int
) -> dict:
    """The plotly figure (as a dict): one horizontal bar per row, the first row on top."""
    rows = table.rows[:max_bars]
    values = [_number(r[value_index], table.columns[value_index]) for r in rows]
    positions = list(range(len(rows)))  # positions, not labels: equal labels stay two bars
    return {
        "data": [
            {"type": "bar", "orientation": "h", "x": values, "y": positions},
        ],
        "layout": {
            "title": {"text": _label(title) if title is not None else ""},
            "template": "plotly_white",
            "xaxis": {"title": {"text": _label(table.columns[value_index])}},
            "yaxis": {
                "autorange": "reversed",
                "tickmode": "array",
                "tickvals": positions,
                "ticktext": [_label(r[label_index]) for r in rows],
                "automargin": True,
            },
            "margin": {"l": 20, "r": 20, "t": 60, "b": 40},
        },
    }


def encode_png(
    document: object,
    *,
    label_column: str | None = None,
    value_column: str | None = None,
    title: object = None,
    width: int = 800,
    height: int | None = None,
    scale: float = 1.0,
    max_bars: int = 50,
) -> Encoded:
    """A table as a PNG bar chart of ``label_column`` (default the first) → ``value_column``
    (default the second); ``height`` defaults to fit the bars; the image is width×scale wide.
    """
    table = as_table(document)
    if len(table.columns) < 2:
        raise invalid("columns", list(table.columns), "at least two: a label and a value")
    label_index = _column(table, label_column, 0, "label_column")
    value_index = _column(table, value_column, 1, "value_column")
    if height is None:
        height = min(max(300, 120 + 22 * min(len(table.rows), max_bars)), SIZE_RANGE.stop - 1)
    for param, size in (("width", width), ("height", height)):
        if not isinstance(size, int) or size not in SIZE_RANGE:
            raise invalid(param, size, f"pixels from {SIZE_RANGE.start} to {SIZE_RANGE.stop - 1}")
    figure = bar_chart(table, label_index, value_index, title, max_bars)
    start_renderer()
    import kaleido

    options = {"format": "png", "width": width, "height": height, "scale": scale}
    return Encoded(kaleido.calc_fig_sync(figure, opts=options), MEDIA_TYPE)
