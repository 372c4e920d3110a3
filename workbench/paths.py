"""Where the project's committed data and default stores live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = PROJECT_ROOT / "sample_data"
REFERENCE = SAMPLE_DATA / "reference"
FIXTURES = SAMPLE_DATA / "fixtures"


def default_sample_store() -> Path:
    """Where the sample store is built on first use (override with WORKBENCH_SAMPLE_STORE)."""
    override = os.environ.get("WORKBENCH_SAMPLE_STORE")
    return Path(override) if override else PROJECT_ROOT / ".workbench" / "sample-store"
