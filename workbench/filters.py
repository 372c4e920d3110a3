"""The filter tree of a Query: and / or / not over leaf tests on one field each.

Semantics, the same on every engine (``tests/test_filters.py`` runs the table on DuckDB
and Spark):

- A leaf on a missing (null) value is false, never unknown, so ``Not`` of it is true:
  "browser is not Chrome" keeps the visits whose browser is unknown, as an analyst expects
  (and as Druid's ``not`` of a selector does).
- ``case_insensitive`` compares lower-cased text on both sides (regex: the ``(?i)`` flag).
- ``Wildcard`` matches the whole value: ``*`` is any run of characters, ``?`` one
  character; every other character (``%`` and ``_`` included) is itself.
- ``Contains`` matches a substring; ``Regex`` searches (unanchored) with RE2/Java syntax.
- ``Range`` is inclusive at both ends unless ``low_strict``/``high_strict`` (Druid's bound).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Eq:
    """field = value."""

    field: str
    value: object
    case_insensitive: bool = False


@dataclass(frozen=True)
class In:
    """field is one of values."""

    field: str
    values: tuple[object, ...]
    case_insensitive: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class Contains:
    """field contains the text value."""

    field: str
    value: str
    case_insensitive: bool = False


@dataclass(frozen=True)
class Wildcard:
    """field matches a pattern with * (any characters) and ? (one character)."""

    field: str
    pattern: str
    case_insensitive: bool = False


@dataclass(frozen=True)
class Regex:
    """field has a match of the regular expression pattern."""

    field: str
    pattern: str
    case_insensitive: bool = False


@dataclass(frozen=True)
class Range:
    """low <= field <= high (either end may be open; strict ends exclude the bound)."""

    field: str
    low: float | None = None
    high: float | None = None
    low_strict: bool = False
    high_strict: bool = False
    case_insensitive: bool = False


@dataclass(frozen=True)
class IsNull:
    """field has no value."""

    field: str
    case_insensitive: bool = False


@dataclass(frozen=True)
class And:
    """Every child holds (no children: true)."""

    children: tuple[Filter, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class Or:
    """Some child holds (no children: false)."""

    children: tuple[Filter, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class Not:
    """The child does not hold."""

    child: Filter


Leaf = Eq | In | Contains | Wildcard | Regex | Range | IsNull
Filter = Leaf | And | Or | Not
LEAVES = (Eq, In, Contains, Wildcard, Regex, Range, IsNull)


def leaves(node: Filter | None) -> Iterator[Leaf]:
    """Every leaf of the tree, depth first."""
    if node is None:
        return
    if isinstance(node, And | Or):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Not):
        yield from leaves(node.child)
    else:
        yield node


def all_of(*nodes: Filter | None) -> Filter | None:
    """The conjunction of the given filters, skipping None; None if there are none."""
    present = tuple(n for n in nodes if n is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)
