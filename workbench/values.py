"""Values from result frames as plain Python: None for every kind of missing, no numpy types."""

from __future__ import annotations

import pandas as pd


def plain(value: object) -> object:
    """``value`` as a plain Python object; None, NaN, NaT and pd.NA all become None."""
    if value is None or (not isinstance(value, str | bytes | list | dict) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
