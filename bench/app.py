"""The app in a real browser: every page's journeys, each interaction timed (issue 6, ≤ 1 s at p95).

``workbench run`` serves the sample store; Debian's chromium (headless, driven by Playwright)
takes the journeys a person takes on every page, ``rounds`` times in one browser context:

- Geography: world → United States → California → a city by table rows, back to the United
  States and to the world by the breadcrumb;
- the sidebar: the compare toggle + Apply, on and off again (on Geography);
- Sessions: a search + Apply, then a session opened by its row;
- Segments: group by a dimension, add a metric, add a condition, choose its dimension, type
  its value + Enter;
- Dashboard: switch the period to 30 days and back to 7;
- Events: choose another event and back;
- API console: set a request's parameters and press Send request.

**An interaction** is timed from the user's action (a click, an option chosen, Apply, Enter)
until the app's script run has finished and the new view is drawn: the run's end has
arrived over the app's websocket (a ``script_finished`` message that is not an early stop
for a rerun, so a view that reruns itself with ``st.rerun`` counts both runs; a fragment's
run counts), the expected new content is visible, and Streamlit's ``stStatusWidget`` is
gone again (its fade-out counted: the person sees it go). Everything before the action
(typing to narrow a list, a toggle inside a form, waiting for a table to paint before a row
is clicked) is not timed. Each kind's row also says how many script runs its interactions
took and when the last one's end had arrived (p95): the rest of the time is the browser
drawing the view.

The first round is a warm-up, not counted: its interactions meet cold caches (the app's
``st.cache_data``, the store's files) and are reported apart as information, as are the
page loads (a navigation until the page's first view is drawn; the first one of each page
downloads its scripts, and plotly.js on the first chart). The interactions of the other
rounds give p50/p95/max per kind of interaction and the overall p95 (quantiles by linear
interpolation between ranks), against ≤ 1 s.

The app runs as deployed, without Streamlit's file watcher: an edited source file would
otherwise put "File change. Rerun" in the status widget and stall the journeys. A journey
that goes wrong stops the run with a screenshot in ``bench/data/app-failure.png``.

``python -m bench.app [--rounds N]`` runs it alone (``make bench``: 5 rounds).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from workbench.paths import PROJECT_ROOT, default_sample_store
from workbench.sample.build import ensure_sample_store

CHROMIUM = "/usr/bin/chromium"  # Debian's (`make test` installs it); never a downloaded one
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
TARGET_S = 1.0  # p95 of the interactions (issue 6)
WAIT_MS = 30_000  # the longest any view may take before the run stops with an error
ROW_PX = 35  # st.dataframe's header and row height
MARKER_PX = 16  # the middle of a row's selection checkbox, from the grid's left edge
DATA = PROJECT_ROOT / "bench" / "data"  # git-ignored
RUN_DONE = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
OT, GIOSG, COUNTLY = "www.opentracker.net", "giosg-shop", "countly-app"

Wait = Callable[[], None]  # returns once some expected content is there


# -- the app ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health") as r:
            return r.read() == b"ok"
    except OSError:
        return False


@contextmanager
def running_app(timeout_s: float = 60.0) -> Iterator[str]:
    """``workbench run`` on the sample store; yields its URL once it answers health."""
    ensure_sample_store(default_sample_store())  # built before the server starts
    port = _free_port()
    exe = Path(sys.executable).parent / "workbench"
    args = [str(exe), "run", "--port", str(port)]
    env = dict(os.environ, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none")  # as deployed: an
    # edited source file must not put "File change. Rerun" in the status widget mid-run
    server = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"`workbench run` did not answer within {timeout_s:g} s")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def browser_page(url: str) -> Iterator[object]:
    """A tab of Debian's chromium in a fresh context (cold browser cache)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise RuntimeError("playwright is missing: it is a test extra (`make test`)") from error
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = chromium.new_context(viewport=VIEWPORT)
            context.set_default_timeout(WAIT_MS)
            yield context.new_page()
        finally:
            chromium.close()


# -- timing -------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    seconds: float  # from the action until the new view is drawn
    round: int
    runs: int = 0  # script runs started meanwhile (a view that reruns itself: 2)
    run_s: float = 0.0  # from the action until the last run's end arrived


@dataclass
class Runs:
    """When script runs started and successfully ended, as the page's websockets tell."""

    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except DecodeError:  # not a ForwardMsg: no run's start or end
            return
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.starts.append(time.perf_counter())
        elif kind == "script_finished" and msg.script_finished in RUN_DONE:
            self.ends.append(time.perf_counter())


@dataclass
class Bench:
    """The tab, the app's URL, the round under way and everything timed so far."""

    page: object
    url: str
    runs: Runs
    round: int = 0
    interactions: list[Sample] = field(default_factory=list)
    loads: list[Sample] = field(default_factory=list)

    def idle(self) -> None:
        """No run under way: the action that follows starts from a finished view."""
        self.page.get_by_test_id("stStatusWidget").wait_for(state="hidden")

    def _timed(self, kind: str, action: Callable[[], None], expected: tuple[Wait, ...]) -> Sample:
        """``action``, then wait until a run has finished, ``expected`` shows and the status
        widget is gone."""
        starts, ends = len(self.runs.starts), len(self.runs.ends)
        began = time.perf_counter()
        action()
        for wait in expected:
            wait()
        deadline = time.monotonic() + WAIT_MS / 1000
        while len(self.runs.ends) == ends:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind}: no script run finished within {WAIT_MS} ms")
            self.page.wait_for_timeout(5)
        self.idle()
        end = time.perf_counter()
        runs = len(self.runs.starts) - starts
        return Sample(kind, end - began, self.round, runs, self.runs.ends[-1] - began)

    def time(self, kind: str, action: Callable[[], None], *expected: Wait) -> None:
        """Time one interaction from a finished view."""
        self.idle()
        try:
            self.interactions.append(self._timed(kind, action, expected))
        except Exception as error:
            raise RuntimeError(f"round {self.round}, {kind}: {error}; {self.snapshot()}") from error

    def snapshot(self) -> str:
        """A screenshot of the tab, for a journey that went wrong."""
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / "app-failure.png"
        self.page.screenshot(path=path, full_page=True)
        return f"the tab: {path} ({self.page.url})"

    def load(self, name: str, path: str, *expected: Wait) -> None:
        """Open a page by its URL and time it until its first view is drawn."""
        goto = partial(self.page.goto, self.url + path)
        self.loads.append(self._timed(name, goto, expected))


def shown(locator) -> Wait:
    return lambda: locator.wait_for(state="visible")


def present(locator) -> Wait:
    """In the page, visible or not (the grids' accessible headers are not drawn)."""
    return lambda: locator.wait_for(state="attached")


def gone(locator) -> Wait:
    return lambda: locator.wait_for(state="detached")


def url_has(page, text: str) -> Wait:
    return lambda: page.wait_for_url(f"**{text}**")


# -- Streamlit widgets --------------------------------------------------------------------


def heading(page, text: str):
    return page.get_by_role("heading", name=text, exact=True)


def grid_ready(page, rows: int = 1) -> None:
    """The page's first table holds ``rows`` rows and has painted: a row can be clicked."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    grid = page.get_by_test_id("stDataFrame").first
    grid.locator("canvas").first.wait_for()
    grid.locator("[role=gridcell]").nth(rows - 1).wait_for(state="attached")
    page.wait_for_timeout(500)  # the grid paints its canvas after its data came


def row_click(page, index: int) -> Callable[[], None]:
    """The click that ticks row ``index`` (0 is the first under the header) of the first
    table, once its grid has painted (the wait is not timed)."""
    grid_ready(page, index + 1)
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    x, y = box["x"] + MARKER_PX, box["y"] + ROW_PX * (index + 1) + ROW_PX // 2
    return lambda: page.mouse.click(x, y)


def option_click(page, label: str, option: str, typed: bool = False) -> Callable[[], None]:
    """Open the selectbox or multiselect ``label`` (typing the option's start to narrow a
    long list, untimed); the click on ``option`` (then Escape closes a multiselect)."""
    box = page.get_by_label(label, exact=True).first
    box.click()
    if typed:
        box.press_sequentially(option[:8])
    item = page.get_by_role("option", name=option, exact=True)
    item.wait_for()

    def click() -> None:
        item.click()
        page.keyboard.press("Escape")

    return click


def options(page, label: str) -> list[str]:
    """The options a selectbox offers (opened and closed again, untimed)."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option").first.wait_for()
    names = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [n.strip() for n in names]


def changed(locator, old: str) -> Wait:
    """``locator`` shows something other than ``old``."""
    return lambda: locator.filter(has_not_text=old).wait_for(state="visible")


# -- the journeys -------------------------------------------------------------------------


def geography(b: Bench) -> None:
    page = b.page
    b.load("Geography", f"/?site={OT}", shown(heading(page, "Countries")))
    drill = "Geography: drill down by a table row"
    b.time(drill, row_click(page, 1), shown(heading(page, "Regions")))  # the United States
    b.time(drill, row_click(page, 1), shown(heading(page, "Cities")))  # California
    b.time(drill, row_click(page, 0), shown(heading(page, "City")))  # its biggest city
    crumb = "Geography: back by the breadcrumb"
    for name, level in (("United States", "Regions"), ("World", "Countries")):
        button = page.get_by_role("button", name=name, exact=True)
        b.time(crumb, button.click, shown(heading(page, level)))


def compare(b: Bench) -> None:
    """The sidebar's compare toggle + Apply, on and off (on the Geography world view)."""
    page = b.page
    sidebar = page.get_by_test_id("stSidebar")
    apply = sidebar.get_by_role("button", name="Apply", exact=True)
    delta = page.get_by_test_id("stMetricDelta")
    kind = "Sidebar: compare toggle + Apply"
    for expected in (shown(delta.filter(has_text="vs previous period").first), gone(delta.first)):
        b.idle()
        sidebar.get_by_text("Compare with the previous period", exact=True).click()
        b.time(kind, apply.click, expected)


def sessions(b: Bench) -> None:
    page = b.page
    rows = page.get_by_text(re.compile(r"^Rows [\d,]+–[\d,]+ of [\d,]+\.$"))
    b.load("Sessions", f"/sessions?site={OT}", shown(heading(page, "Sessions")), shown(rows))
    main = page.get_by_test_id("stMain")
    before = rows.inner_text()
    main.get_by_role("textbox", name="Search", exact=True).fill("pricing")
    apply = main.get_by_role("button", name="Apply", exact=True)
    b.time(
        "Sessions: search + Apply",
        apply.click,
        url_has(page, "s_search=pricing"),
        changed(rows, before),
    )
    b.time("Sessions: open a session by its row", row_click(page, 0), shown(heading(page, "Session detail")))  # fmt: skip


def segments(b: Bench) -> None:
    page = b.page
    b.load("Segments", f"/segments?site={GIOSG}", shown(heading(page, "Segments")))
    headers = page.get_by_test_id("stDataFrame").first.locator("[role=columnheader]")
    waiting = page.get_by_text("condition(s) without a value are not applied yet")
    grid_ready(page)
    for label, option in (("Group by", "device_type"), ("Metrics", "avg_duration")):
        b.idle()
        b.time(
            "Segments: group by or a metric (multiselect)",
            option_click(page, label, option, typed=True),
            present(headers.filter(has_text=option).first),
        )
    add = page.get_by_role("button", name="Add condition").first
    b.time("Segments: add a condition", add.click, shown(waiting))
    b.time(
        "Segments: the condition's dimension (selectbox)",
        option_click(page, "Dimension", "country_code", typed=True),  # not the default
        shown(waiting),
    )
    value = page.get_by_label("Value", exact=True).first
    value.fill("FI")
    b.time(
        "Segments: the condition's value + Enter",
        lambda: value.press("Enter"),
        url_has(page, "a1=country_code%3Aeq%3AFI"),
        gone(waiting),
    )


def dashboard(b: Bench) -> None:
    page = b.page
    value = page.get_by_test_id("stMetricValue").first
    b.load("Dashboard", f"/dashboard?site={COUNTLY}&period=7d", shown(value))
    for label, period in (("Last 30 days", "30d"), ("Last 7 days", "7d")):
        b.idle()
        before = value.inner_text()
        button = page.get_by_role("radio", name=label, exact=True)
        b.time(
            "Dashboard: switch the period",
            button.click,
            url_has(page, f"period={period}"),
            changed(value, before),
        )


def events(b: Bench) -> None:
    page = b.page
    title = page.locator(".js-plotly-plot .gtitle")
    b.load("Events", f"/events?site={COUNTLY}", shown(heading(page, "Events")), shown(title))
    keys = options(page, "Event")
    for key in (keys[1], keys[0]):
        b.idle()
        b.time(
            "Events: choose an event",
            option_click(page, "Event", key),
            shown(title.filter(has_text=f"{key}:")),
        )


def console(b: Bench) -> None:
    page = b.page
    code = page.get_by_test_id("stCode").first.locator("code")
    b.load("API console", f"/console?site={OT}", shown(heading(page, "API console")), shown(code))
    option_click(page, "detailLevel", "region")()
    page.get_by_label("countryCode", exact=True).fill("US")
    send = page.get_by_role("button", name="Send request")
    b.time(
        "API console: send a request",
        send.click,
        shown(code.filter(has_text="detailLevel=region&countryCode=US")),
    )


JOURNEYS = (geography, compare, sessions, segments, dashboard, events, console)


# -- the rows -----------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low, high = math.floor(at), math.ceil(at)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _spread(seconds: list[float]) -> str:
    return (
        f"p50 {_ms(quantile(seconds, 0.5))}, p95 {_ms(quantile(seconds, 0.95))}, "
        f"max {_ms(max(seconds))} (n={len(seconds)})"
    )


def _runs(samples: list[Sample]) -> str:
    """How many script runs the interactions took, and when the last one had ended."""
    counts = sorted({s.runs for s in samples})
    runs = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    run_p95 = quantile([s.run_s for s in samples], 0.95)
    return f"{runs} script run(s) each, the last one ended by {_ms(run_p95)} at p95"


def _by_kind(samples: list[Sample]) -> dict[str, list[Sample]]:
    kinds: dict[str, list[Sample]] = {}
    for s in samples:
        kinds.setdefault(s.kind, []).append(s)
    return kinds


def _p95(samples: list[Sample]) -> float:
    return quantile([s.seconds for s in samples], 0.95)


def interaction_rows(samples: list[Sample], data: str) -> list[dict[str, str]]:
    """One row per kind of interaction (information), and the overall p95 against the target."""
    kinds = _by_kind(samples)
    out = [
        {
            "name": f"app interaction: {kind}",
            "data": data,
            "result": f"{_spread([s.seconds for s in group])}; {_runs(group)}",
            "target": "— (information)",
            "met": "n/a",
        }
        for kind, group in kinds.items()
    ]
    slowest = max(kinds, key=lambda k: _p95(kinds[k]))
    p95 = _p95(samples)
    out.append(
        {
            "name": "app interactions, every kind: p95",
            "data": f"{data}; {len(kinds)} kinds on {len(JOURNEYS) - 1} pages + the sidebar",
            "result": f"{_spread([s.seconds for s in samples])}; slowest kind at p95: {slowest}",
            "target": f"≤ {TARGET_S:g} s",
            "met": "yes" if p95 <= TARGET_S else "**no**",
        }
    )
    return out


def information_rows(b: Bench, data: str) -> list[dict[str, str]]:
    """The warm-up round's interactions and the page loads."""
    info = {"target": "— (information)", "met": "n/a"}
    warmup = [s for s in b.interactions if s.round == 0]
    slowest = max(warmup, key=lambda s: s.seconds)
    cold = ", ".join(f"{s.kind} {_ms(s.seconds)}" for s in b.loads if s.round == 0)
    warm = [s for s in b.loads if s.round > 0]
    return [
        {
            "name": "app interactions, warm-up round (cold caches)",
            "data": "the sample store; the first round after `workbench run` started",
            "result": f"{_spread([s.seconds for s in warmup])}; slowest: {slowest.kind} "
            f"{_ms(slowest.seconds)}",
            **info,
        },
        {
            "name": "app page loads, first of each page (its scripts, plotly.js, cold caches)",
            "data": "the sample store; a fresh browser context",
            "result": cold,
            **info,
        },
        {
            "name": "app page loads, later rounds (a navigation to the page's URL)",
            "data": data,
            "result": f"{_spread([s.seconds for s in warm])}; {_runs(warm)}",
            **info,
        },
    ]


def rows(b: Bench, rounds: int) -> list[dict[str, str]]:
    data = (
        f"the sample store; `workbench run` + headless chromium; {rounds - 1} rounds after a "
        "warm-up"
    )
    counted = [s for s in b.interactions if s.round > 0]
    return interaction_rows(counted, data) + information_rows(b, data)


def run(rounds: int = 5) -> list[dict[str, str]]:
    """The rows for ``rounds`` rounds of every journey (the first one a warm-up)."""
    if rounds < 2:
        raise ValueError("rounds: at least 2 (the first is a warm-up)")
    with running_app() as url, browser_page(url) as page:
        runs = Runs()
        runs.attach(page)
        b = Bench(page, url, runs)
        for n in range(rounds):
            b.round = n
            for journey in JOURNEYS:
                journey(b)
    return rows(b, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds, the first a warm-up")
    args = parser.parse_args()
    for row in run(rounds=args.rounds):
        print(f"{row['name']}: {row['result']} (target {row['target']}, met {row['met']})")


if __name__ == "__main__":
    main()
