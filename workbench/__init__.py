"""Analyst workbench: web-analytics sessions and events, explored and exported as vendor APIs do."""

from __future__ import annotations

from workbench import filters
from workbench.core import Workbench
from workbench.errors import WorkbenchError
from workbench.query import Cursor, Order, Query, Result
from workbench.timeframe import Interval

__all__ = [
    "Cursor",
    "Interval",
    "Order",
    "Query",
    "Result",
    "Workbench",
    "WorkbenchError",
    "filters",
]
__version__ = "0.1.0"
