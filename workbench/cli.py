"""The `workbench` command: run the app, build sample stores, describe a store."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from workbench.errors import WorkbenchError
from workbench.paths import PROJECT_ROOT, default_sample_store

DATA_HELP = "Store folder to use (default: the bundled sample store, built on first use)."


def data_option(func):
    return click.option("--data", "data", type=click.Path(path_type=Path), help=DATA_HELP)(func)


@contextmanager
def progress_bar(label: str, length: int | None):
    """A click progress bar fed with counts of sessions; quiet when not on a terminal."""
    with click.progressbar(length=length or 0, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update


@click.group()
@click.version_option(package_name="analyst-workbench")
def main() -> None:
    """Web-analytics analyst workbench."""


@main.command()
@data_option
@click.option("--port", default=8501, show_default=True, help="Port to serve the app on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
def run(data: Path | None, port: int, host: str) -> None:
    """Start the Streamlit app on a store (the sample by default)."""
    store = data or _sample_path_built()
    if data is not None:
        _open(data).close()  # fail here, clearly, rather than inside the app
    env = dict(os.environ, WORKBENCH_DATA=str(Path(store).resolve()))
    args = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
        "--server.headless=true", f"--server.address={host}", f"--server.port={port}",
        "--browser.gatherUsageStats=false", "--client.toolbarMode=viewer",
    ]  # fmt: skip
    click.echo(f"Serving {store} at http://{host}:{port}", err=True)
    os.execvpe(sys.executable, args, env)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), help="Folder of the new store.")
@click.option("--sessions", type=click.IntRange(min=1), help="Generate this many sessions.")
@click.option("--days", type=click.IntRange(min=1), default=396, show_default=True)
@click.option("--seed", type=int, default=20241119, show_default=True)
def sample(out: Path | None, sessions: int | None, days: int, seed: int) -> None:
    """Build the sample store, or with --sessions a generated store of any size."""
    from workbench.sample.build import build_benchmark_store, ensure_sample_store

    started = time.perf_counter()
    if sessions is None:
        target = out or default_sample_store()
        with progress_bar("Building the sample store", None) as update:
            ensure_sample_store(target, update)
        click.echo(f"sample store ready at {target}")
        return
    if out is None:
        raise click.UsageError("--out is required with --sessions")
    with progress_bar(f"Generating {sessions:,} sessions", sessions) as update:
        _guard(
            lambda: build_benchmark_store(
                out, sessions=sessions, days=days, seed=seed, progress=update
            )
        )
    seconds = time.perf_counter() - started
    click.echo(
        f"{sessions:,} sessions in {seconds:.1f} s ({sessions / seconds:,.0f} sessions/s) at {out}"
    )


@main.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(data: Path | None, as_json: bool) -> None:
    """Describe a store: extent, row counts, sites, as_of."""
    wb = _open(data)
    facts = wb.info()
    if as_json:
        click.echo(json.dumps(facts, indent=2, default=str))
        return
    click.echo(_describe(facts))


@main.command()
@data_option
def compact(data: Path | None) -> None:
    """Merge each month's small files into one (after many small ingests)."""
    wb = _open(data)
    replaced = _guard(wb.store.compact)
    click.echo(
        f"{replaced} files merged; {len(wb.store.snapshot.entries('sessions'))} session files"
    )


@main.command()
@click.argument("url")
@click.option("-X", "--request", "method", default="GET", show_default=True, help="HTTP method.")
@click.option("-d", "--data-raw", "body", help="Request body (form fields or JSON).")
@click.option("-H", "--header", "headers", multiple=True, help="A header, 'Name: value'.")
@data_option
@click.option(
    "--now", help="ISO instant to use as now (default: the store's as_of, else the clock)."
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the body here.")
def export(url, method, body, headers, data, now, output) -> None:
    """Answer a documented vendor request, e.g. '/api/location/top_country_region_city.jsp?period=1d'.

    The body goes to stdout (or --output); an error status exits non-zero.
    """
    named = {}
    for header in headers:
        name, sep, value = header.partition(":")
        if not sep:
            raise click.BadParameter(f"{header!r}: expected 'Name: value'", param_hint="-H")
        named[name.strip()] = value.strip()
    moment = _instant(now)
    wb = _open(data)
    response = wb.request(url, body, method, named, client="127.0.0.1", now=moment)
    if output:
        output.write_bytes(response.body)
    else:
        click.echo(response.body, nl=False)  # bytes go to the binary stdout as they are
    if not response.ok:
        raise SystemExit(1)


def _instant(text: str | None) -> dt.datetime | None:
    """``--now``: an ISO instant with an offset or Z."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected an ISO instant", param_hint="--now") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{text!r}: give an offset or Z", param_hint="--now")
    return moment


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, help="Port to listen on.")
@data_option
@click.option(
    "--now", help="ISO instant to use as now (default: the store's as_of, else the clock)."
)
def serve(host: str, port: int, data: Path | None, now: str | None) -> None:
    """Answer the vendors' documented APIs over HTTP on a store."""
    from workbench.server import serve as run_server

    moment = _instant(now)
    wb = _open(data)
    click.echo(f"Serving {wb.path} on http://{host}:{port} (Ctrl+C stops)", err=True)
    run_server(wb, host, port, moment)


@main.command()
def model() -> None:
    """Print the data model (every table and column) as Markdown."""
    from workbench.model import markdown

    click.echo(markdown(), nl=False)


@main.command()
def fields() -> None:
    """Print every dimension and metric a query can use, with its definition, as Markdown."""
    from workbench.fields_doc import markdown

    click.echo(markdown(), nl=False)


def _describe(facts: dict) -> str:
    rows = facts["rows"]
    lines = [
        f"store          {facts['path']}" + ("  (the bundled sample)" if facts["sample"] else ""),
        f"as_of          {facts['as_of'] or 'none (reports use the wall clock)'}",
        f"schema         version {facts['schema_version']}, {facts['batches']} batches",
        f"sessions       {rows['sessions']:,}  ({facts['first_session']} .. {facts['last_session']})",
        f"events         {rows['events']:,}",
        f"sites          {rows['sites']}",
    ]
    for site in facts["sites"]:
        ids = ", ".join(f"{k}={site[k]}" for k in site if k.endswith(("_site", "_id")) and site[k])
        lines.append(
            f"  {site['site_id']:<22} {site['kind']:<4} {site['time_zone']:<20} "
            f"{site['sessions']:>9,} sessions  {ids}"
        )
    return "\n".join(lines)


def _sample_path_built() -> Path:
    from workbench.sample.build import ensure_sample_store

    with progress_bar("Building the sample store", None) as update:
        return ensure_sample_store(default_sample_store(), update)


def _open(data: Path | None):
    from workbench.core import Workbench

    return _guard(lambda: Workbench.open(data))


def _guard(call):
    try:
        return call()
    except WorkbenchError as exc:
        raise click.ClickException(str(exc)) from None
