"""Run every benchmark in bench/ and write the Markdown table to bench/results.md."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
from pathlib import Path

from bench import accesslog, app, core, foundation, ingest, layout, server

HERE = Path(__file__).resolve().parent
SUITES = {
    "foundation": foundation.run,
    "layout": lambda sessions: layout.run(),
    "core": core.run,
    "accesslog": lambda sessions: accesslog.run(),
    "ingest": lambda sessions: ingest.run(),
    "server": lambda sessions: server.run(duration=60.0),
    "app": lambda sessions: app.run(rounds=5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(SUITES), action="append")
    parser.add_argument("--sessions", type=int, default=1_000_000, help="generated store size")
    args = parser.parse_args()
    rows: list[dict[str, str]] = []
    load = os.getloadavg()[0]
    for name in args.only or SUITES:
        rows += SUITES[name](sessions=args.sessions)
    write_results(rows, (load, os.getloadavg()[0]))


def write_results(rows: list[dict[str, str]], load: tuple[float, float]) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {stamp}, {platform.machine()}, Python "
        f"{platform.python_version()}. Each figure is the median of the stated runs. "
        f"Load average (1 min) at the start {load[0]:.1f}, at the end {load[1]:.1f}, "
        f"on {os.cpu_count()} cores: other work on the machine slows every figure.",
        "",
        "| benchmark | data | result | target | met |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {r['data']} | {r['result']} | {r['target']} | {r['met']} |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
