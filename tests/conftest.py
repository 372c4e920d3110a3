"""Shared test setup: the tests folder is importable (worker scripts and helpers)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

pytest_plugins = ("browser_kit",)  # the browser fixtures: app_url, browser, offline_page
