"""The app's global filters and geography drill-down as URL query parameters: parse, write back.

Pure (no Streamlit): a page reads ``st.query_params`` into a frozen ``Selection`` and
``Drill`` with ``parse``, and writes them back with ``to_params``, so any view is a link.
Bad values never raise: they fall back to the default and are reported as ``problems``.

Parameters: ``site`` (comma-separated site ids), ``period`` (``1d``, ``7d``, ``30d``,
``90d`` or ``custom`` with ``from`` and ``to`` as ``YYYY-MM-DD``), ``tz`` (an IANA zone;
default the first site's), ``bots=1`` (include bot sessions), ``compare=1`` (beside the
previous period), ``seg`` (a segment: conditions on session dimensions, see
``parse_segment``), and the drill-down ``country``, ``region``, ``city``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from workbench import filters as f
from workbench.dimensions import dimension
from workbench.errors import WorkbenchError
from workbench.timeframe import Interval, zone

PERIODS = {"1d": "today", "7d": "last 7 days", "30d": "last 30 days", "90d": "last 90 days"}
CUSTOM = "custom"
DEFAULT_PERIOD = "30d"
FLAGS = {"1": True, "true": True, "0": False, "false": False}
LEVELS = ("country", "region", "city", "sessions")  # what a drill-down shows, world first

# -- the segment language ---------------------------------------------------------------
# ``dimension OP value``, conditions joined by "," (all must hold); "|" separates values
# any of which may match; "\\" escapes ",", "|" and itself. An empty value is a missing one.
SEPARATOR, ALTERNATIVE, ESCAPE = ",", "|", "\\"
_CONDITION = re.compile(r"\s*([^=!~<>]+?)\s*(!=|!~|>=|<=|=|~|>|<)(.*)\Z", re.S)
TEXT, NUMBER, BOOL = "text", "number", "bool"
BOOLS = {"true": True, "1": True, "false": False, "0": False}


def _equal(field: str, values: tuple[object, ...]) -> f.Filter:
    if not values:
        return f.IsNull(field)
    leaves = [
        f.Wildcard(field, v) if isinstance(v, str) and ("*" in v or "?" in v) else f.Eq(field, v)
        for v in values
    ]
    if len(leaves) > 1 and all(isinstance(leaf, f.Eq) for leaf in leaves):
        return f.In(field, values)
    return leaves[0] if len(leaves) == 1 else f.Or(tuple(leaves))


def _contains(field: str, values: tuple[object, ...]) -> f.Filter:
    leaves = tuple(f.Contains(field, str(v), case_insensitive=True) for v in values)
    return leaves[0] if len(leaves) == 1 else f.Or(leaves)


def _bound(low_or_high: str, strict: bool) -> Callable[[str, tuple[object, ...]], f.Filter]:
    def build(field: str, values: tuple[object, ...]) -> f.Filter:
        if low_or_high == "low":
            return f.Range(field, low=values[0], low_strict=strict)
        return f.Range(field, high=values[0], high_strict=strict)

    return build


ARITIES = {  # how many values an operator takes -> (test, what it needs)
    "any": (lambda values: True, ""),  # none: a missing value
    "some": (lambda values: bool(values) and all(values), "a value"),
    "one": (lambda values: len(values) == 1 and bool(values[0]), "one value"),
}


@dataclass(frozen=True)
class Operator:
    """What an operator means: the dimension kinds it takes, how many values, its filter."""

    meaning: str
    kinds: tuple[str, ...]
    build: Callable[[str, tuple[object, ...]], f.Filter]
    arity: str = "some"  # a key of ARITIES
    negated: bool = False


OPERATORS = {  # longest first where one is a prefix of another
    "!=": Operator("is not (any of)", (TEXT, NUMBER, BOOL), _equal, "any", negated=True),
    "!~": Operator("does not contain", (TEXT,), _contains, negated=True),
    ">=": Operator("at least", (NUMBER,), _bound("low", False), "one"),
    "<=": Operator("at most", (NUMBER,), _bound("high", False), "one"),
    "=": Operator("is (any of; * and ? match any text)", (TEXT, NUMBER, BOOL), _equal, "any"),
    "~": Operator("contains (any case)", (TEXT,), _contains),
    ">": Operator("more than", (NUMBER,), _bound("low", True), "one"),
    "<": Operator("less than", (NUMBER,), _bound("high", True), "one"),
}
SEGMENT_HELP = (
    "Sessions that match every condition, as `dimension OP value`, joined by commas: "
    + "; ".join(f"`{op}` {o.meaning}" for op, o in OPERATORS.items())
    + ". `|` separates alternatives, `\\` escapes `,` `|` `\\`; an empty value is a missing one. "
    "E.g. `country_code=US|CA,device_type=mobile,pageviews>=3`. Dimensions: the Data page "
    "lists them (`workbench fields`)."
)


@dataclass(frozen=True)
class Condition:
    """One condition of a segment: ``field op values`` (values as typed, text)."""

    field: str
    op: str
    values: tuple[str, ...] = ()

    def filter(self) -> f.Filter:
        kind = dimension("sessions", self.field).kind
        node = OPERATORS[self.op].build(self.field, tuple(_typed(v, kind) for v in self.values))
        return f.Not(node) if OPERATORS[self.op].negated else node

    def text(self) -> str:
        return self.field + self.op + ALTERNATIVE.join(_escaped(v) for v in self.values)


def parse_segment(text: str) -> tuple[tuple[Condition, ...], tuple[str, ...]]:
    """The conditions of a segment's text and a problem per condition left out."""
    conditions, problems = [], []
    for part in _split(text, SEPARATOR):
        if not part.strip():
            continue
        try:
            conditions.append(_condition(part))
        except WorkbenchError as error:
            problems.append(error.message)
    return tuple(dict.fromkeys(conditions)), tuple(problems)


def segment_text(segment: tuple[Condition, ...]) -> str:
    """A segment written back in the language ``parse_segment`` reads."""
    return SEPARATOR.join(c.text() for c in segment)


def _condition(part: str) -> Condition:
    match = _CONDITION.match(part)
    if match is None:
        raise WorkbenchError(
            "invalid_segment",
            f"seg: {part.strip()!r} is not a condition; expected dimension OP value with OP "
            f"one of {' '.join(OPERATORS)}",
        )
    name, op, raw = match[1].strip(), match[2], match[3]
    kind = dimension("sessions", name, param="seg").kind
    operator = OPERATORS[op]
    if kind not in operator.kinds:
        raise WorkbenchError(
            "invalid_segment",
            f"seg: {op!r} does not apply to {name} ({kind}); it takes a "
            f"{' or '.join(operator.kinds)} dimension",
        )
    values = tuple(_unescape(v.strip()) for v in _split(raw, ALTERNATIVE)) if raw.strip() else ()
    fits, needs = ARITIES[operator.arity]
    if not fits(values):
        raise WorkbenchError("invalid_segment", f"seg: {part.strip()!r} needs {needs}")
    for value in values:
        _typed(value, kind, name)
    return Condition(name, op, values)


def _typed(value: str, kind: str, name: str = "seg") -> object:
    if kind == BOOL:
        if value.lower() not in BOOLS:
            raise WorkbenchError(
                "invalid_segment", f"seg: {name}={value!r}; expected true or false"
            )
        return BOOLS[value.lower()]
    if kind == NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise WorkbenchError(
                "invalid_segment", f"seg: {name}={value!r} is not a number"
            ) from None
        return int(number) if number.is_integer() else number
    return value


def _split(text: str, separator: str) -> list[str]:
    """``text`` cut at every ``separator`` that is not escaped; escapes are kept, so that
    conditions can be cut first and their values after (``_unescape``)."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == ESCAPE:
            current.append(char + next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def _escaped(value: str) -> str:
    out = value.replace(ESCAPE, ESCAPE * 2)
    return out.replace(SEPARATOR, ESCAPE + SEPARATOR).replace(ALTERNATIVE, ESCAPE + ALTERNATIVE)


@dataclass(frozen=True)
class Selection:
    """The global filters every page applies."""

    sites: tuple[str, ...]
    period: str = DEFAULT_PERIOD  # a key of PERIODS, or CUSTOM with first/last
    first: dt.date | None = None
    last: dt.date | None = None
    zone: str | None = None  # None: the first site's time zone
    include_bots: bool = False
    compare: bool = False
    segment: tuple[Condition, ...] = ()  # every condition holds (an AND)

    @property
    def where(self) -> f.Filter | None:
        """The segment as a filter tree for reports' ``where=`` (None: every session)."""
        return f.all_of(*(c.filter() for c in self.segment))

    def days(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last local dates covered: relative periods end with ``today``."""
        if self.period == CUSTOM and self.first and self.last:
            return self.first, self.last
        count = int(self.period.removesuffix("d"))
        return today - dt.timedelta(days=count - 1), today

    def time_zone(self, site_zones: Mapping[str, str]) -> str:
        return self.zone or site_zones[self.sites[0]]

    def interval(self, site_zones: Mapping[str, str], today: dt.date) -> Interval:
        first, last = self.days(today)
        return Interval.from_dates(first, last, self.time_zone(site_zones))


@dataclass(frozen=True)
class Drill:
    """Where the geography view is: the world, a country, a region of it, or a city."""

    country: str | None = None
    region: str | None = None
    city: str | None = None

    @property
    def level(self) -> str:
        """What the view lists: countries, regions, cities, or one city's sessions."""
        return LEVELS[sum(1 for part in (self.country, self.region, self.city) if part)]

    def into(self, code: str) -> Drill:
        """One level down, into the row whose code (a city's name) is ``code``."""
        if self.country is None:
            return Drill(code)
        if self.region is None:
            return Drill(self.country, code)
        return Drill(self.country, self.region, code)

    def up_to(self, level: str) -> Drill:
        """Back up to the view listing ``level`` (a breadcrumb click)."""
        keep = LEVELS.index(level)
        parts = (self.country, self.region, self.city)
        return Drill(*(p if i < keep else None for i, p in enumerate(parts)))


@dataclass(frozen=True)
class Parsed:
    selection: Selection
    drill: Drill
    problems: tuple[str, ...] = ()  # one message per value that was ignored


def parse(params: Mapping[str, str], site_zones: Mapping[str, str]) -> Parsed:
    """The Selection and Drill in ``params``; ``site_zones`` maps every site id to its zone."""
    problems: list[str] = []
    sites = _sites(params.get("site", ""), site_zones, problems)
    period, first, last = _period(params, problems)
    tz = params.get("tz") or None
    if tz is not None:
        try:
            zone(tz, param="tz")
        except WorkbenchError as error:
            problems.append(error.message)
            tz = None
    bots = _flag(params, "bots", problems)
    compare = _flag(params, "compare", problems)
    segment, segment_problems = parse_segment(params.get("seg", ""))
    problems.extend(segment_problems)
    selection = Selection(sites, period, first, last, tz, bots, compare, segment)
    return Parsed(selection, _drill(params, problems), tuple(problems))


def to_params(selection: Selection, drill: Drill = Drill()) -> dict[str, str]:
    """The query parameters of a view (defaults left out, so links stay short)."""
    out = {"site": ",".join(selection.sites), "period": selection.period}
    if selection.period == CUSTOM and selection.first and selection.last:
        out["from"], out["to"] = selection.first.isoformat(), selection.last.isoformat()
    if selection.zone:
        out["tz"] = selection.zone
    if selection.include_bots:
        out["bots"] = "1"
    if selection.compare:
        out["compare"] = "1"
    if selection.segment:
        out["seg"] = segment_text(selection.segment)
    parts = {"country": drill.country, "region": drill.region, "city": drill.city}
    out.update({k: v for k, v in parts.items() if v})
    return out


def _sites(text: str, site_zones: Mapping[str, str], problems: list[str]) -> tuple[str, ...]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in site_zones]
    if unknown:
        problems.append(
            f"site: {', '.join(map(repr, unknown))} not found; expected one of "
            f"{', '.join(site_zones)}"
        )
    known = tuple(dict.fromkeys(s for s in names if s in site_zones))
    return known or (next(iter(site_zones)),)


def _period(
    params: Mapping[str, str], problems: list[str]
) -> tuple[str, dt.date | None, dt.date | None]:
    period = params.get("period") or DEFAULT_PERIOD
    if period in PERIODS:
        return period, None, None
    if period != CUSTOM:
        valid = ", ".join([*PERIODS, CUSTOM])
        problems.append(f"period: {period!r} is not a period; expected one of {valid}")
        return DEFAULT_PERIOD, None, None
    first, last = _date(params, "from", problems), _date(params, "to", problems)
    if first is None or last is None:
        return DEFAULT_PERIOD, None, None
    if last < first:
        problems.append(f"to: {last} is before from: {first}; expected a range forwards")
        return DEFAULT_PERIOD, None, None
    return CUSTOM, first, last


def _date(params: Mapping[str, str], name: str, problems: list[str]) -> dt.date | None:
    text = params.get(name, "")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{name}: {text!r} is not a date; expected YYYY-MM-DD for a custom period")
        return None


def _flag(params: Mapping[str, str], name: str, problems: list[str]) -> bool:
    text = params.get(name, "0").lower()
    if text in FLAGS:
        return FLAGS[text]
    problems.append(f"{name}: {text!r} is not a switch; expected 1 or 0")
    return False


def _drill(params: Mapping[str, str], problems: list[str]) -> Drill:
    country, region, city = (params.get(k) or None for k in ("country", "region", "city"))
    if city and not region:
        problems.append("city: needs a region (and a country); showing the region level")
        city = None
    if region and not country:
        problems.append("region: needs a country; showing the world")
        region = city = None
    return Drill(country.upper() if country else None, region, city)
