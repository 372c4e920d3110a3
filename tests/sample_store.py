"""The sample store, built once per test run (and shared with `make run`)."""

from __future__ import annotations

from functools import cache

from workbench.core import Workbench


@cache
def sample() -> Workbench:
    return Workbench.open(None)
