"""Analyst workbench: web-analytics sessions and events, explored and exported as vendor APIs do."""

from __future__ import annotations

from workbench.errors import WorkbenchError

__all__ = ["WorkbenchError"]
__version__ = "0.1.0"
