"""`workbench run` on a free local port, for tests that talk to the app over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(timeout_s: float = 30.0) -> Iterator[str]:
    """Start `workbench run` on the sample store; yield its URL once it answers health."""
    port = free_port()
    exe = Path(sys.executable).parent / "workbench"
    server = subprocess.Popen([str(exe), "run", "--port", str(port)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not _healthy(url):
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer /_stcore/health within {timeout_s:g} s")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health") as r:
            return r.read() == b"ok"
    except OSError:
        return False
