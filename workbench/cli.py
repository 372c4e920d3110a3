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
        "--server.enableStaticServing=true", "--client.showErrorDetails=none",
        "--server.fileWatcherType=none",  # a served tool, not a dev loop: no "source changed" reruns
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
@click.option(
    "--clicky-limit/--no-clicky-limit",
    default=True,
    show_default=True,
    help="Clicky's one simultaneous request per IP address per site (a second gets 429).",
)
def serve(host: str, port: int, data: Path | None, now: str | None, clicky_limit: bool) -> None:
    """Answer the vendors' documented APIs over HTTP on a store."""
    from workbench.server import serve as run_server

    moment = _instant(now)
    wb = _open(data)
    click.echo(f"Serving {wb.path} on http://{host}:{port} (Ctrl+C stops)", err=True)
    run_server(wb, host, port, moment, clicky_limit)


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


# -- your own data: create a store, manage sites, ingest tables, forget visitors ------------

WRITE_DATA_HELP = "Store folder to change (required: the bundled sample is never changed)."


def write_data_option(func):
    return click.option(
        "--data", "data", type=click.Path(path_type=Path), required=True, help=WRITE_DATA_HELP
    )(func)


def _ingest(label: str, run, data: Path, paths, **options) -> None:
    """Run an ingester on ``paths`` with a progress bar and print its reconciled summary."""
    now = dt.datetime.now(dt.UTC)
    store = _store(data)
    with progress_bar(label, None) as update:
        outcome = _guard(lambda: run(store, paths, now=now, progress=update, **options))
    click.echo(outcome.summary())


def _store(data: Path):
    from workbench.store import Store

    return _guard(lambda: Store.open(data))


@main.command()
@write_data_option
def create(data: Path) -> None:
    """Create an empty store (then `workbench site add` and `workbench ingest`)."""
    from workbench.store import Store

    _guard(lambda: Store.create(data)).close()
    click.echo(f"empty store created at {data}")


@main.group()
def site() -> None:
    """Add, list, show the keys of, and remove sites and apps."""


@site.command("add")
@click.argument("site_id")
@write_data_option
@click.option("--name", help="Domain of the website or name of the app (default: SITE_ID).")
@click.option("--kind", default="web", show_default=True, help="web or app.")
@click.option("--time-zone", default="UTC", show_default=True, help="IANA time zone.")
@click.option(
    "--vendor",
    "vendors",
    multiple=True,
    help="opentracker, clicky, countly or giosg (repeatable): new credentials for each.",
)
@click.option("--login", help="Opentracker login email (with --vendor opentracker).")
def site_add(site_id, data, name, kind, time_zone, vendors, login) -> None:
    """Add SITE_ID with new vendor credentials; an Opentracker password is printed only now."""
    from workbench.sites import add_site

    now = dt.datetime.now(dt.UTC)
    added = _guard(
        lambda: add_site(
            _store(data),
            site_id,
            now=now,
            name=name,
            kind=kind,
            time_zone=time_zone,
            vendors=vendors,
            login=login,
        )
    )
    click.echo(_fields(added.site))
    if added.password:
        click.echo(f"opentracker_password  {added.password}")
        click.echo("(shown once: only its hash is stored; `site keys --reset-password` makes anew)")


@site.command("list")
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def site_list(data: Path | None, as_json: bool) -> None:
    """The sites with their public identities (no keys or tokens)."""
    from workbench.sites import list_sites

    rows = list_sites(_open(data).store)
    records = [{k: _jsonable(v) for k, v in r.items()} for r in rows.to_dict("records")]
    if as_json:
        click.echo(json.dumps(records, indent=2))
        return
    for r in records:
        ids = ", ".join(f"{k}={v}" for k, v in r.items() if v and k.endswith(("_site", "_id")))
        ids = ids.replace(f"site_id={r['site_id']}, ", "", 1)
        click.echo(f"{r['site_id']:<24} {r['kind']:<4} {r['time_zone']:<20} {r['name']}  {ids}")


@site.command("keys")
@click.argument("site_id")
@data_option
@click.option(
    "--reset-password", is_flag=True, help="Make a new Opentracker password and print it once."
)
def site_keys(site_id: str, data: Path | None, reset_password: bool) -> None:
    """The site's identities and keys (the Opentracker password is not kept: reset it)."""
    from workbench import sites

    if reset_password and data is None:
        raise click.UsageError("--reset-password changes a store: give --data")
    store = _open(data).store
    keys = _guard(lambda: sites.site_keys(store, site_id))
    click.echo(_fields(keys))
    if reset_password:
        click.echo(f"opentracker_password  {_guard(lambda: sites.reset_password(store, site_id))}")


@site.command("remove")
@click.argument("site_id")
@write_data_option
@click.option("--force", is_flag=True, help="Also delete the site's sessions and events.")
def site_remove(site_id: str, data: Path, force: bool) -> None:
    """Remove a site; refused while it has sessions or events unless --force deletes them."""
    from workbench.sites import remove_site

    gone = _guard(lambda: remove_site(_store(data), site_id, force=force))
    click.echo(f"removed {gone.site_id} with {gone.sessions} sessions and {gone.events} events")


@main.group()
def ingest() -> None:
    """Store your own data: tables now (Countly requests and access logs to come)."""


@ingest.command("table")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--site", "site_id", required=True, help="The site the rows belong to.")
@click.option("--mapping", type=click.Path(path_type=Path), help='JSON {"canonical": "source"}.')
@click.option("--table", default="sessions", show_default=True, help="sessions or events.")
@click.option("--rejects", type=click.Path(path_type=Path), help="Rejects file (JSON Lines).")
@write_data_option
def ingest_table(paths, site_id, mapping, table, rejects, data) -> None:
    """Store CSV, Parquet or JSON Lines files (by suffix) as sessions or events."""
    from workbench.ingest.table import ingest_table as run

    _ingest(
        f"Ingesting {table}", run, data, paths,
        site=site_id, table=table, mapping=mapping, rejects=rejects,
    )  # fmt: skip


@ingest.command("access-log")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--site", "site_id", required=True, help="The site the log belongs to.")
@click.option(
    "--geoip",
    type=click.Path(path_type=Path),
    help="GeoIP2/GeoLite2 City .mmdb for regions, cities.",
)
@click.option(
    "--timeout", default=30.0, show_default=True, help="Minutes of inactivity that end a visit."
)
@click.option("--anonymize-ip", is_flag=True, help="Store IPs truncated (after geolocation).")
@click.option("--bot-rule", "bot_rules", multiple=True, help="NAME=REGEX on user agent or URL.")
@click.option("--rejects", type=click.Path(path_type=Path), help="Rejects file (JSON Lines).")
@write_data_option
def ingest_access_log(
    paths, site_id, geoip, timeout, anonymize_ip, bot_rules, rejects, data
) -> None:
    """Store Apache/Nginx access logs (combined or common format, oldest first) as visits."""
    from workbench.ingest.accesslog import ingest_access_log as run

    total = sum(1 for p in paths if p.is_file())  # files, not lines: the bar counts lines read
    _ingest(
        f"Ingesting {total} access log(s)", run, data, paths,
        site=site_id, timeout_minutes=timeout, geoip=geoip, anonymize_ip=anonymize_ip,
        bot_rules=bot_rules, rejects=rejects,
    )  # fmt: skip


@ingest.command("countly")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--timeout",
    "timeout_min",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Minutes without a request that close a session.",
)
@click.option("--rejects", type=click.Path(path_type=Path), help="Rejects file (JSON Lines).")
@write_data_option
def ingest_countly(paths, timeout_min, rejects, data) -> None:
    """Store Countly write-API requests logged one a line (/i?..., form or JSON bodies)."""
    from workbench.ingest.countly import ingest_countly as run

    _ingest(
        "Ingesting Countly requests", run, data, paths,
        timeout=dt.timedelta(minutes=timeout_min), rejects=rejects,
    )  # fmt: skip


@main.command()
@click.argument("visitor_id")
@write_data_option
def forget(visitor_id: str, data: Path) -> None:
    """Delete a visitor's sessions and events (the replaced files go after 10 minutes)."""
    from workbench.ingest.forget import forget as run

    gone = _guard(lambda: run(_store(data), visitor_id))
    click.echo(f"forgot {gone.visitor_id}: {gone.sessions} sessions, {gone.events} events deleted")


def _fields(row: dict) -> str:
    return "\n".join(f"{k:<21} {_jsonable(v)}" for k, v in row.items() if v is not None)


def _jsonable(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


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
