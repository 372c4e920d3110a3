"""Ingests killed with SIGKILL at random points: the store opens, committed batches stay whole,
uncommitted ones never show, and a re-run completes the input exactly once.

For each input kind (a Countly web-SDK request log, an nginx access log, a CSV of sessions)
one store is ingested into again and again, each run killed at a seeded random moment: on a
timer (interpreter start-up included), a few ms into a batch, while a batch's Parquet files
are written, while the manifest is drafted, or just after a commit (21 kills in all). Most
runs are ``tests/ingest_worker.py`` (the library ingester with small batches, so that a
short input makes many commits); a fifth are the real ``workbench ingest`` with its default
batch. After every kill the store must open and answer queries; every file the manifest
lists must hold the rows it says and nothing else may be read; the rows visible must be a
subset of a clean single ingest of the same input (the same text, no duplicate ids), every
session with all its events; and nothing a previous kill left committed may be lost. Then
``workbench ingest`` runs the input to completion: the store must equal the clean ingest row
for row, and no file of a dead batch (nor a manifest draft) may remain.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ingest_worker import SITE, access_log, countly_log, sessions_csv

from workbench.core import Workbench
from workbench.manifest import MANIFEST, manifest_stamp, read_snapshot
from workbench.sites import add_site
from workbench.store import EMPTY, Store
from workbench.store_write import JOURNAL

pytestmark = pytest.mark.slow

WORKER = Path(__file__).parent / "ingest_worker.py"
CLI = Path(sys.executable).parent / "workbench"
ENV = dict(os.environ, PYTHONPATH=str(Path(__file__).parent))
NOW = dt.datetime.now(dt.UTC)
ID = {"sessions": "session_id", "events": "event_id"}
CLI_SHARE = 0.2  # of the killed runs, this share is the real CLI (one batch for the input)


@dataclass(frozen=True)
class Case:
    """An input kind: how to write its input, its batch size, its kills, its CLI options."""

    make: Callable[[Path, str], object]  # (path, Countly app_key) -> writes the input
    suffix: str
    batch: int
    kills: int
    cli: tuple[str, ...] = ()


CASES = {
    "countly": Case(lambda path, key: countly_log(path, key, sessions=200), ".log", 120, 8),
    "access-log": Case(
        lambda path, _: access_log(path, visits=500), ".log", 400, 7, ("--site", SITE)
    ),
    "table": Case(lambda path, _: sessions_csv(path, rows=4000), ".csv", 400, 6, ("--site", SITE)),
}


@dataclass
class Rows:
    """A store's sessions and events: each row as text under its id (a Counter: duplicates show)."""

    ids: dict[str, Counter[str]] = field(default_factory=dict)
    text: dict[str, dict[str, str]] = field(default_factory=dict)
    events_of: dict[str, set[str]] = field(default_factory=dict)  # session_id -> event ids


def read_rows(wb: Workbench) -> Rows:
    rows = Rows()
    for table, key in ID.items():
        got = wb.sql(f"SELECT {key} AS id, CAST(t AS VARCHAR) AS row FROM {table} t")
        rows.ids[table] = Counter(got["id"])
        rows.text[table] = dict(zip(got["id"], got["row"], strict=True))
    pairs = wb.sql("SELECT session_id, event_id FROM events")
    for session, event in zip(pairs["session_id"], pairs["event_id"], strict=True):
        rows.events_of.setdefault(session, set()).add(event)
    return rows


def spawn(kind: str, root: Path, data: Path, *, cli: bool) -> subprocess.Popen:
    case = CASES[kind]
    if cli:
        args = [str(CLI), "ingest", kind, str(data), "--data", str(root), *case.cli]
    else:
        args = [sys.executable, str(WORKER), kind, str(root), str(case.batch), str(data)]
    return subprocess.Popen(args, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# -- when to kill: a registry of triggers, each waits for its moment (False: the run ended) --


def _poll(proc: subprocess.Popen, ready: Callable[[], bool]) -> bool:
    """Until ``ready()`` (True) or the run's end (False)."""
    while proc.poll() is None:
        if ready():
            return True
        time.sleep(0.001)
    return False


def on_timer(proc, root: Path, rng: random.Random, full: float) -> bool:
    """Anywhere from interpreter start-up to the last batch."""
    time.sleep(rng.uniform(0.02, 0.8) * full)
    return proc.poll() is None


def in_batch(proc, root: Path, rng: random.Random, full: float) -> bool:
    """Once the writer holds the lock in a batch (its journal exists), a few ms in."""
    time.sleep(rng.uniform(0.0, 0.7) * full)
    if not _poll(proc, (root / JOURNAL).exists):
        return False
    time.sleep(rng.uniform(0.0, 0.015))
    return proc.poll() is None


def after_commit(proc, root: Path, rng: random.Random, full: float) -> bool:
    """As soon as the manifest changes: the writer is finishing a commit or starting the next."""
    time.sleep(rng.uniform(0.0, 0.4) * full)
    stamp = manifest_stamp(root)
    return _poll(proc, lambda: manifest_stamp(root) != stamp)


def writing_files(proc, root: Path, rng: random.Random, full: float) -> bool:
    """As soon as a batch's Parquet file is being written (its hidden temporary name shows)."""
    time.sleep(rng.uniform(0.0, 0.6) * full)
    return _poll(proc, lambda: any(root.glob("*/month=*/.part-*.tmp")))


def writing_manifest(proc, root: Path, rng: random.Random, full: float) -> bool:
    """As soon as the writer drafts the new manifest (the commit itself, before its rename)."""
    time.sleep(rng.uniform(0.0, 0.6) * full)
    return _poll(proc, (root / f".{MANIFEST}.{proc.pid}.tmp").exists)


TRIGGERS = {
    "timer": on_timer,
    "in-batch": in_batch,
    "writing-files": writing_files,
    "writing-manifest": writing_manifest,
    "after-commit": after_commit,
}


# -- what a store must look like ------------------------------------------------------------


def leftovers(root: Path) -> list[str]:
    """Files in the table folders that the manifest does not vouch for (a dead batch's)."""
    known = read_snapshot(root).known_paths()
    return [
        str(p.relative_to(root))
        for table in ("sites", "sessions", "events")
        for p in (root / table).rglob("*")
        if p.is_file() and p.name != EMPTY and str(p.relative_to(root)) not in known
    ]


def check_store(root: Path, reference: Rows) -> Rows:
    """The store opens and answers; committed files are whole; what shows is a subset of the
    clean ingest, each session with all its events and each event with its session."""
    wb = Workbench.open(root)
    try:
        snapshot = wb.store.snapshot
        for table in ID:
            for entry in snapshot.entries(table):
                assert pq.ParquetFile(root / entry.path).metadata.num_rows == entry.rows, entry
            shown = wb.sql(f"SELECT count(*) AS n FROM {table}")["n"][0]
            assert shown == snapshot.rows(table), f"{table}: rows outside the manifest are read"
        wb.sql("SELECT country_code, count(*) FROM sessions GROUP BY ALL")  # a query runs
        rows = read_rows(wb)
    finally:
        wb.close()
    for table in ID:
        assert not rows.ids[table] - reference.ids[table], f"{table}: rows the input never made"
        assert max(rows.ids[table].values(), default=1) == 1, f"{table}: a duplicate id"
        different = [i for i, t in rows.text[table].items() if t != reference.text[table][i]]
        assert not different, f"{table}: rows unlike the clean ingest's: {different[:3]}"
    sessions = set(rows.ids["sessions"])
    orphaned = set(rows.events_of) - sessions
    assert not orphaned, f"events of sessions not stored: {sorted(orphaned)[:3]}"
    for session in sessions:
        whole = reference.events_of.get(session, set())
        assert rows.events_of.get(session, set()) == whole, f"session {session} lacks events"
    return rows


def committed_kept(before: Rows, after: Rows) -> None:
    for table in ID:
        lost = set(before.ids[table]) - set(after.ids[table])
        assert not lost, f"{table}: committed rows lost after a kill: {sorted(lost)[:3]}"


def summary_counts(text: str) -> dict[str, int]:
    """stored / duplicates / rejected from a CLI summary line."""
    found = re.findall(r"([\d,]+) (stored|duplicates|rejected)", text)
    return {name: int(n.replace(",", "")) for n, name in found}


# -- the test -------------------------------------------------------------------------------


@pytest.fixture
def blank(tmp_path: Path) -> tuple[Path, str]:
    """An empty store with a Countly app and a web site; the app's write key."""
    store = Store.create(tmp_path / "blank")
    key = add_site(store, "app", now=NOW, kind="app", vendors=["countly"]).site["countly_app_key"]
    add_site(store, SITE, now=NOW, name="shop.example.com")
    store.close()
    return store.root, key


def clean_ingest(kind: str, store: Path, data: Path) -> tuple[dict, Rows, float]:
    """The input ingested once, undisturbed: its outcome, its rows, how long it took."""
    started = time.monotonic()
    run = spawn(kind, store, data, cli=False)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err.decode()[-2000:]
    full = time.monotonic() - started
    outcome = json.loads(out)
    assert outcome["batches"] >= 8, "the input should make many commits"
    assert outcome["reconciles"], outcome
    wb = Workbench.open(store)
    rows = read_rows(wb)
    wb.close()
    assert all(max(c.values(), default=1) == 1 for c in rows.ids.values())
    return outcome, rows, full


class Moments(Counter):
    """Where the kills landed, counted, and each kill's trigger and the sessions then stored."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []

    def __str__(self) -> str:
        return f"{dict(self)}; kills: {'; '.join(self.log)}"


def kill_plan(rng: random.Random, kills: int) -> list[tuple[str, bool]]:
    """(trigger, run the CLI?) for each kill: every trigger at least once, the rest drawn at
    random; a fifth of the runs the CLI, but not to be killed after a commit (its one commit
    is its last act)."""
    names = list(TRIGGERS)
    plan = names + rng.choices(names, k=max(0, kills - len(names)))
    rng.shuffle(plan)
    return [(name, name != "after-commit" and rng.random() < CLI_SHARE) for name in plan]


def kill_runs(
    kind: str, root: Path, blank: Path, data: Path, reference: Rows, full: float
) -> Moments:
    """Ingest into ``root`` again and again, each run killed at a random moment, checking the
    store after each kill; where the kills landed. Once the input is all in (a run ended
    before its kill, or was killed after its last commit) the store starts again from
    ``blank``, so that kills keep landing on partly ingested stores."""
    case, rng = CASES[kind], random.Random(f"kill-{kind}")
    nothing = Rows(ids={t: Counter() for t in ID})
    total = sum(reference.ids["sessions"].values())
    previous, kills, moments, attempts = nothing, 0, Moments(), 0
    pace = full  # how long a run takes: the kill moments are drawn within it
    plan = kill_plan(rng, case.kills)
    while kills < len(plan):
        attempts += 1
        assert attempts <= 3 * case.kills, "runs keep ending before their kill"
        trigger, cli = plan[kills]  # a run that ends before its kill is followed by another
        began = time.monotonic()
        proc = spawn(kind, root, data, cli=cli)
        if TRIGGERS[trigger](proc, root, rng, pace):
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            kills += 1
            moments[f"{trigger}{' (cli)' if cli else ''}"] += 1
            moments["inside a batch" if (root / JOURNAL).exists() else "between batches"] += 1
            moments["dead batch's files on disk"] += bool(leftovers(root))
            moments["manifest draft on disk"] += any(root.glob(f".{MANIFEST}.*.tmp"))
            current = check_store(root, reference)
            committed_kept(previous, current)
            previous, stored = current, sum(current.ids["sessions"].values())
            moments["store partly ingested"] += 0 < stored < total
            moments.log.append(f"{trigger}{' (cli)' if cli else ''}: {stored}/{total} sessions")
            if stored < total:
                continue
        else:  # the run finished before its moment came
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()[-2000:]
            pace = min(pace, time.monotonic() - began)  # re-runs skip what is stored: faster
        moments["input all in: store reset"] += 1
        shutil.rmtree(root)
        shutil.copytree(blank, root)
        previous = nothing
    moments["runs"] = attempts
    return moments


@pytest.mark.parametrize("kind", list(CASES))
def test_ingest_killed_at_random_points_loses_nothing_and_reruns_exactly(
    kind: str, blank: tuple[Path, str], tmp_path: Path
) -> None:
    case = CASES[kind]
    data = tmp_path / f"input{case.suffix}"
    case.make(data, blank[1])
    clean, root = tmp_path / "clean", tmp_path / "killed"
    shutil.copytree(blank[0], clean)
    shutil.copytree(blank[0], root)
    outcome, reference, full = clean_ingest(kind, clean, data)

    moments = kill_runs(kind, root, blank[0], data, reference, full)
    assert moments["inside a batch"] >= 1, f"no kill landed inside a batch: {moments}"
    assert moments["store partly ingested"] >= 1, f"no kill came between commits: {moments}"

    final = subprocess.run(
        [str(CLI), "ingest", kind, str(data), "--data", str(root), *case.cli],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert final.returncode == 0, final.stderr[-2000:]
    counts = summary_counts(final.stdout)
    assert counts["stored"] + counts["duplicates"] == outcome["stored"] + outcome["duplicates"]
    assert counts["rejected"] == outcome["rejected"]
    done = check_store(root, reference)
    for table in ID:
        assert done.ids[table] == reference.ids[table], f"{table}: re-run differs from clean"
    assert not (root / JOURNAL).exists()
    assert leftovers(root) == [], "files of a dead batch remain after the next writer"
    assert not list(root.glob(f".{MANIFEST}.*.tmp")), "a dead writer's manifest draft remains"
    print(f"{kind}: {moments}; a clean run {full:.1f} s")


def test_writer_killed_writing_its_manifest_leaves_no_draft(blank: tuple[Path, str], tmp_path):
    """The commit's own moment: killed between drafting the manifest and renaming it, the
    batch is not committed, and the next writer deletes the draft (it used to stay forever)."""
    root, data = blank[0], tmp_path / "input.csv"
    sessions_csv(data, rows=2000)
    for _ in range(10):  # the draft lives for a write and an fsync: poll for it closely
        proc = spawn("table", root, data, cli=False)
        if _poll(proc, (root / f".{MANIFEST}.{proc.pid}.tmp").exists):
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        if proc.returncode == -signal.SIGKILL and list(root.glob(f".{MANIFEST}.*.tmp")):
            break  # killed with its draft on disk (else the rename won the race: again)
    assert proc.returncode == -signal.SIGKILL, "never caught a manifest being written"
    assert list(root.glob(f".{MANIFEST}.*.tmp")), "the draft the writer died writing"
    version = read_snapshot(root).version
    with Store.open(root).batch(timeout=5):  # the next writer recovers, commits nothing new
        pass
    assert not list(root.glob(f".{MANIFEST}.*.tmp"))
    assert leftovers(root) == [] and read_snapshot(root).version == version + 1
