"""The dimension and metric registries as Markdown: what `workbench fields` prints."""

from __future__ import annotations

from workbench import dimensions, metrics


def markdown() -> str:
    """docs/fields.md: every dimension and metric of each table with its definition."""
    lines = [
        "# Dimensions and metrics",
        "",
        "Generated from `workbench/dimensions.py` and `workbench/metrics.py` by `workbench fields`.",
        "A Query reads one table; these are the names it accepts for it.",
    ]
    for table in dimensions.TABLES:
        lines += ["", f"## {table}", "", "| metric | definition |", "|---|---|"]
        lines += [f"| `{name}` | {text} |" for name, text in metrics.describe(table).items()]
        lines += ["", "| dimension | definition |", "|---|---|"]
        lines += [f"| `{name}` | {text} |" for name, text in dimensions.describe(table).items()]
    return "\n".join(lines) + "\n"
