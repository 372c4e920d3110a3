"""Any Plotly figure of a page as a print-resolution PNG or an SVG, rendered offline by kaleido."""

from __future__ import annotations

import threading

import plotly.graph_objects as go
import plotly.io as pio

from workbench.encoders.png import start_renderer
from workbench.paths import PROJECT_ROOT

TOPOJSON_DIR = PROJECT_ROOT / "static" / "topojson"  # maps read their shapes from here, not a CDN
PNG_SCALE = 2  # print resolution
WIDTH, HEIGHT = 1000, 520
_lock = threading.Lock()  # plotly's defaults are process-wide


def png(fig: go.Figure, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The figure as a PNG at ``PNG_SCALE`` times its size."""
    return _image(fig, "png", width, height, PNG_SCALE)


def svg(fig: go.Figure, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The figure as an SVG document (vector: any print size)."""
    return _image(fig, "svg", width, height, 1)


def _image(fig: go.Figure, kind: str, width: int, height: int, scale: int) -> bytes:
    start_renderer()  # kaleido's browser, kept running: a render is then ~0.2 s
    with _lock:
        pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"
        return fig.to_image(format=kind, scale=scale, width=width, height=height)
