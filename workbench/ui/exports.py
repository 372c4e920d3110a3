"""A view's vendor request as download buttons, answered by Workbench.request on click."""

from __future__ import annotations

from collections.abc import Callable

from workbench.errors import WorkbenchError
from workbench.ui.filters import Context
from workbench.ui.text import plain


def vendor_buttons(
    ctx: Context, vendor: str, url_for: Callable[[str], str], name: str, cells: dict
) -> dict[str, str] | None:
    """One button per format (``cells``: format -> column) downloading the answer to
    ``url_for(format)``; the URLs, or None when the view has no such request (said in the
    first cell)."""
    try:
        urls = {fmt: url_for(fmt) for fmt in cells}
    except WorkbenchError as error:
        next(iter(cells.values())).caption(plain(error.message))
        return None
    for fmt, cell in cells.items():
        cell.download_button(
            f"{vendor} {fmt}",
            lambda url=urls[fmt]: ctx.wb.request(url, now=ctx.clock.now).body,
            f"{name}-{vendor.lower()}.{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )
    return urls
