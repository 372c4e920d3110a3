"""The vendor dialects: each parses its documented parameters and shapes its documented answer."""

from workbench.dialects import giosg  # noqa: F401  (routes register on import)
