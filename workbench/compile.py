"""Compile a Query into one engine's SQL: a sqlglot tree rendered per dialect, values bound.

Every value a caller gives (sites, filter values, patterns, map keys, cursor) becomes a
named parameter (``$p0`` on DuckDB, ``:p0`` on Spark); only names from the registries and
numbers the workbench computes appear in the text. The measured rules are applied here:
short value lists become OR chains (a DuckDB IN list of 5+ values turns into a join that
stops row-group skipping), local time is epoch arithmetic plus the zone's offset
(``localtime``), and lists are ordered so that an engine can stop early.

A multi-valued dimension (``dimensions.MULTI_VALUED``) comes from a relation of (visit,
value) pairs (``derived.MULTI_VALUES``): grouped, the pairs are joined to the visits (a
visit counts under each of its values); in a filter, a visit passes when one of its values
does (a semi-join), so a filter never multiplies rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from workbench import filters as f
from workbench import hll, localtime
from workbench.derived import MULTI_VALUES, PAIR_VALUE, PAIR_VISIT, PREVIOUS_START, since_previous
from workbench.dimensions import FREQUENCY_LOOKBACK, Dimension, dimension
from workbench.metrics import col
from workbench.query import BUCKET, ID_COLUMN, Order, Query

OR_CHAIN_MAX = 64  # longer value lists are rendered as IN
ESCAPE = "!"  # LIKE escape character (a backslash needs escaping itself in Spark literals)
BOT_LOOKBACK = dt.timedelta(days=1)  # events of bot visits that started up to a day earlier
ORDER_OF_VISITS = ("start_ts", "session_id")
CURSOR_TS, CURSOR_ID = "__cursor_ts", "__cursor_id"
ROWS = "__rows"
BOTS, GROUP_BOTS, GROUP_HUMANS = "__bots", "__group_bots", "__group_humans"

Source = Callable[[str, dt.datetime, dt.datetime], exp.Expression]


@dataclass(frozen=True)
class Compiled:
    """SQL text for one engine and the values bound to its parameters."""

    sql: str
    params: dict[str, object]


class _Params:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __call__(self, value: object) -> exp.Placeholder:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return exp.Placeholder(this=name)


def compile_query(
    q: Query,
    dialect: str,
    source: Source,
    *,
    bots: str | None = None,
    limit: int | None = None,
) -> Compiled:
    """SQL for ``q`` on ``dialect`` reading tables from ``source``.

    ``bots`` is exclude, include or only (the count of excluded rows), by default what
    ``q.include_bots`` says; ``limit``
    overrides the query's (a pager asks for one row more, to know if a page follows).
    An aggregate of sessions that excludes bots counts them in the same scan instead: its
    aggregates read only human rows (``FILTER``) and a column ``BOTS`` holds the count.
    """
    bots = bots or ("include" if q.include_bots else "exclude")
    build = _Builder(q, dialect, source)
    fold = not q.is_list and q.table == "sessions" and bots == "exclude"
    where = build.where("include" if fold else bots)
    tree = build.rows(where, limit) if q.is_list else build.aggregate(where, limit, fold)
    return Compiled(tree.sql(dialect=dialect), build.params.values)


class _Builder:
    def __init__(self, q: Query, dialect: str, source: Source) -> None:
        self.q, self.dialect, self.source = q, dialect, source
        self.params = _Params()

    # -- values of rows ---------------------------------------------------------------

    def field(self, dim: Dimension) -> exp.Expression:
        if dim.multi:  # the joined pairs' value (see joined)
            return exp.column(f"__{dim.name}", quoted=True)
        if dim.since_previous:
            return since_previous(dim)
        if dim.key is not None:
            return exp.Bracket(this=col(dim.column), expressions=[self.params(dim.key)])
        if dim.local is not None:
            return localtime.part(col(dim.column), self.q.interval, dim.local)
        if dim.bins:
            ifs = [
                exp.If(
                    this=exp.LTE(this=col(dim.column), expression=exp.Literal.number(bound)),
                    true=exp.Literal.number(i),
                )
                for i, bound in enumerate(dim.bins)
            ]
            missing = exp.If(
                this=exp.Is(this=col(dim.column), expression=exp.Null()), true=exp.Null()
            )
            return exp.Case(ifs=[missing, *ifs], default=exp.Literal.number(len(dim.bins)))
        return col(dim.column)

    def named(self, name: str) -> exp.Expression:
        return self.field(dimension(self.q.table, name))

    def bucket(self) -> exp.Expression:
        q = self.q
        return localtime.bucket(col(q.time_column), q.interval, q.granularity, q.week_start)

    # -- which rows -------------------------------------------------------------------

    def relation(self) -> exp.Expression:
        """The query's table over its interval; with each visit's previous start
        (``PREVIOUS_START``, over ``FREQUENCY_LOOKBACK`` more) when a dimension needs it."""
        q = self.q
        if not self.needs_previous():
            return self.source(q.table, q.interval.start, q.interval.end)
        start = q.interval.start - FREQUENCY_LOOKBACK
        before = exp.Window(
            this=exp.Lag(this=col("start_ts")),
            partition_by=[col("site_id"), col("visitor_id")],
            order=exp.Order(expressions=[exp.Ordered(this=col(c)) for c in ORDER_OF_VISITS]),
        )
        visits = (
            exp.select(exp.Star(), before.as_(PREVIOUS_START, quoted=True))
            .from_(self.source(q.table, start, q.interval.end))
            .where(self.span(q.table, "start_ts", start, q.interval.end))
        )
        return visits.subquery("visits")

    def needs_previous(self) -> bool:
        q = self.q
        names = [*q.dimensions, *(leaf.field for leaf in f.leaves(q.filter))]
        return any(dimension(q.table, name).since_previous for name in names)

    def where(self, bots: str) -> exp.Expression:
        q = self.q
        parts = [self.span(q.table, q.time_column, q.interval.start, q.interval.end)]
        parts += [self.bot_rows(bots)] if bots != "include" else []
        parts += [self.test(q.filter, negated=False)] if q.filter is not None else []
        parts += [self.after_cursor()] if q.cursor is not None else []
        return exp.and_(*parts)

    def span(self, table: str, time: str, start: dt.datetime, end: dt.datetime) -> exp.Expression:
        conditions = [
            exp.GTE(this=col(time), expression=self.params(start)),
            exp.LT(this=col(time), expression=self.params(end)),
        ]
        if self.q.sites:
            sites = f.In("site_id", self.q.sites)
            conditions.insert(0, self.test(sites, negated=False))
        return exp.and_(*conditions)

    def bot_rows(self, bots: str) -> exp.Expression:
        flag = col("is_bot")
        if self.q.table == "sessions":
            return flag if bots == "only" else exp.Not(this=flag)
        start, end = self.q.interval.start - BOT_LOOKBACK, self.q.interval.end
        visits = (
            exp.select(col("session_id"))
            .from_(self.source("sessions", start, end))
            .where(exp.and_(self.span("sessions", "start_ts", start, end), flag))
        )
        inside = exp.In(this=col("session_id"), query=exp.Subquery(this=visits))
        return inside if bots == "only" else exp.Not(this=inside)

    def after_cursor(self) -> exp.Expression:
        """Rows older than the cursor, in newest-first order (time, then id, descending)."""
        cursor, time, ident = self.q.cursor, col(self.q.time_column), col(ID_COLUMN[self.q.table])
        at = self.params(dt.datetime.fromtimestamp(cursor.ts_ms / 1000, dt.UTC))
        older = exp.LT(this=time, expression=at)
        tie = exp.and_(
            exp.EQ(this=time.copy(), expression=at.copy()),
            exp.LT(this=ident, expression=self.params(cursor.id)),
        )
        return exp.Paren(this=exp.or_(older, tie))

    def test(self, node: f.Filter, negated: bool) -> exp.Expression:
        """The filter tree with negations pushed to the leaves (De Morgan).

        A negated leaf is ``value IS NULL OR NOT test``: a missing value fails a test and
        so passes its negation, on every engine.
        """
        if isinstance(node, f.Not):
            return self.test(node.child, not negated)
        if isinstance(node, f.And | f.Or):
            children = [self.test(child, negated) for child in node.children]
            conjunction = isinstance(node, f.And) != negated
            if not children:
                return exp.true() if conjunction else exp.false()
            joined = exp.and_(*children) if conjunction else exp.or_(*children)
            return exp.Paren(this=joined)
        dim = dimension(self.q.table, node.field)
        if dim.multi:
            return self.any_value(node, dim, negated)
        value = self.field(dim)
        if isinstance(node, f.IsNull):
            missing = exp.Is(this=value, expression=exp.Null())
            return exp.Not(this=missing) if negated else missing
        test = self.leaf(node, value)
        if not negated:
            return test
        missing = exp.Is(this=value.copy(), expression=exp.Null())
        return exp.Paren(this=exp.or_(missing, exp.Not(this=exp.Paren(this=test))))

    def any_value(self, node: f.Filter, dim: Dimension, negated: bool) -> exp.Expression:
        """A visit passes a test on a multi-valued dimension when one of its values does;
        ``IsNull`` when it has none. Negated: when none of its values passes."""
        visit = exp.column(PAIR_VISIT, quoted=True)
        passing = exp.select(visit).from_(self.pairs(dim).subquery("pairs"))
        if isinstance(node, f.IsNull):
            negated = not negated  # is-null: no pair at all
        else:
            passing = passing.where(self.leaf(node, exp.column(PAIR_VALUE, quoted=True)))
        inside = exp.In(this=col(ID_COLUMN[self.q.table]), query=exp.Subquery(this=passing))
        return exp.Not(this=inside) if negated else inside

    def pairs(self, dim: Dimension) -> exp.Select:
        """The distinct (visit, value) pairs of a multi-valued dimension over the interval."""
        return MULTI_VALUES[dim.name](self)

    def joined(self, tree: exp.Select) -> exp.Select:
        """``tree`` with the pairs of each grouped multi-valued dimension joined to its rows."""
        for dim in self.q.dims():
            if not dim.multi:
                continue
            visit, value = f"__{dim.name}_visit", f"__{dim.name}"
            pairs = exp.select(
                exp.column(PAIR_VISIT, quoted=True).as_(visit, quoted=True),
                exp.column(PAIR_VALUE, quoted=True).as_(value, quoted=True),
            ).from_(self.pairs(dim).subquery("p"))
            on = exp.EQ(
                this=col(ID_COLUMN[self.q.table]), expression=exp.column(visit, quoted=True)
            )
            tree = tree.join(pairs.subquery(f"mv_{dim.name}"), on=on, join_type="left")
        return tree

    def leaf(self, node: f.Leaf, value: exp.Expression) -> exp.Expression:
        folded = node.case_insensitive
        subject = exp.Lower(this=value) if folded and not isinstance(node, f.Regex) else value

        def bound(v: object) -> exp.Placeholder:
            return self.params(v.lower() if folded and isinstance(v, str) else v)

        if isinstance(node, f.Eq):
            return exp.EQ(this=subject, expression=bound(node.value))
        if isinstance(node, f.In):
            if len(node.values) > OR_CHAIN_MAX:
                return exp.In(this=subject, expressions=[bound(v) for v in node.values])
            tests = [exp.EQ(this=subject.copy(), expression=bound(v)) for v in node.values]
            return exp.Paren(this=exp.or_(*tests)) if len(tests) > 1 else tests[0]
        if isinstance(node, f.Contains):
            return self.like(subject, "%" + _escape(bound_text(node.value, folded)) + "%")
        if isinstance(node, f.Wildcard):
            return self.like(subject, _wildcard(bound_text(node.pattern, folded)))
        if isinstance(node, f.Regex):
            pattern = ("(?i)" if folded else "") + node.pattern
            return exp.RegexpLike(this=subject, expression=self.params(pattern))
        if isinstance(node, f.Range):
            return self.range(subject, node)
        raise TypeError(node)  # pragma: no cover - Query validation admits only leaves

    def like(self, subject: exp.Expression, pattern: str) -> exp.Expression:
        like = exp.Like(this=subject, expression=self.params(pattern))
        return exp.Escape(this=like, expression=exp.Literal.string(ESCAPE))

    def range(self, subject: exp.Expression, node: f.Range) -> exp.Expression:
        tests = []
        if node.low is not None:
            op = exp.GT if node.low_strict else exp.GTE
            tests.append(op(this=subject, expression=self.params(node.low)))
        if node.high is not None:
            op = exp.LT if node.high_strict else exp.LTE
            tests.append(op(this=subject.copy(), expression=self.params(node.high)))
        return exp.Paren(this=exp.and_(*tests)) if len(tests) > 1 else tests[0]

    # -- lists ------------------------------------------------------------------------

    def rows(self, where: exp.Expression, limit: int | None) -> exp.Select:
        q = self.q
        columns = [self.named(name).as_(name, quoted=True) for name in q.dimensions]
        if q.effective_order == q.newest_first:  # the pager reads the last row's keys
            columns += [
                localtime.epoch_ms(col(q.time_column)).as_(CURSOR_TS),
                col(ID_COLUMN[q.table]).as_(CURSOR_ID),
            ]
        order = list(q.effective_order)
        if not any(o.field == ID_COLUMN[q.table] for o in order):
            order.append(Order(ID_COLUMN[q.table]))
        tree = exp.select(*columns).from_(self.relation())
        tree = tree.where(where).order_by(*[self.ordered(self.named(o.field), o) for o in order])
        return _paged(tree, limit if limit is not None else q.page_size, q.offset)

    @staticmethod
    def ordered(value: exp.Expression, order: Order) -> exp.Ordered:
        return exp.Ordered(this=value, desc=order.descending, nulls_first=False)

    # -- aggregates -------------------------------------------------------------------

    def aggregate(self, where: exp.Expression, limit: int | None, fold: bool = False) -> exp.Select:
        q = self.q
        keys = [(name, self.named(name)) for name in q.dimensions]
        if q.granularity != "all":
            keys.insert(0, (BUCKET, self.bucket()))
        measures = q.measures()
        exact = [(name, m.build()) for name, m in measures if not m.approximate]
        if not exact:  # only estimates: the groups still come from here
            exact = [(ROWS, exp.Count(this=exp.Star()))]
        human = exp.Not(this=col("is_bot"))
        if fold:
            exact = [(name, _only(e, human)) for name, e in exact]
            exact.append((GROUP_BOTS, _only(exp.Count(this=exp.Star()), col("is_bot"))))
            exact.append((GROUP_HUMANS, _only(exp.Count(this=exp.Star()), human)))
        src = self.relation()
        main = self.joined(
            exp.select(
                *[e.as_(n, quoted=True) for n, e in keys],
                *[e.as_(n, quoted=True) for n, e in exact],
            ).from_(src)
        ).where(where)
        if keys:
            main = main.group_by(*[e.copy() for _, e in keys])
        estimates = [(name, m) for name, m in measures if m.approximate]
        if estimates:
            humans = exp.and_(where.copy(), human) if fold else where
            main = self.with_estimates(main, keys, exact, estimates, humans)
        names = [n for n, _ in keys]
        order = list(q.effective_order)
        order += [Order(n) for n in names if all(o.field != n for o in order)]
        shown = [exp.column(n, quoted=True) for n in [*names, *(n for n, _ in measures)]]
        rows = main.subquery("r")
        if fold:  # every group's bots are counted, then groups of bots alone are dropped
            total = exp.Window(this=exp.Sum(this=exp.column(GROUP_BOTS))).as_(BOTS)
            rows = exp.select(exp.Star(), total).from_(rows).subquery("b")
            shown.append(exp.column(BOTS))
        result = exp.select(*shown).from_(rows)
        if fold and keys:
            result = result.where(
                exp.GT(this=exp.column(GROUP_HUMANS), expression=exp.Literal.number(0))
            )
        result = result.order_by(
            *[self.ordered(exp.column(o.field, quoted=True), o) for o in order]
        )
        return _paged(result, limit if limit is not None else q.limit, q.offset)

    def with_estimates(self, main, keys, exact, estimates, where) -> exp.Select:
        """Join the exact aggregates with one HyperLogLog estimate per approximate metric."""
        names = [n for n, _ in keys]
        tree = exp.select(
            *[exp.column(n, table="m", quoted=True) for n in [*names, *(n for n, _ in exact)]]
        ).from_(main.subquery("m"))
        for i, (name, m) in enumerate(estimates):
            alias = f"h{i}"
            tree = tree.select(
                exp.Coalesce(
                    this=exp.column(name, table=alias, quoted=True),
                    expressions=[exp.Literal.number(0)],
                ).as_(name, quoted=True)
            )
            on = (
                exp.and_(
                    *[
                        exp.NullSafeEQ(
                            this=exp.column(n, table="m", quoted=True),
                            expression=exp.column(n, table=alias, quoted=True),
                        )
                        for n in names
                    ]
                )
                if names
                else exp.true()
            )
            tree = tree.join(
                self.estimate(keys, name, m.hll_of, where).subquery(alias), on=on, join_type="left"
            )
        return tree

    def estimate(self, keys, name: str, of: str, where: exp.Expression) -> exp.Select:
        value = (
            exp.Case(ifs=[exp.If(this=col("is_new"), true=col("visitor_id"))])
            if of == "new_visitor"
            else col(of)
        )
        hashed = self.joined(
            exp.select(
                *[e.copy().as_(n, quoted=True) for n, e in keys],
                hll.hash64(value.copy(), self.dialect).as_(hll.HASH),
            ).from_(self.relation())
        )
        hashed = hashed.where(
            exp.and_(where.copy(), exp.Not(this=exp.Is(this=value, expression=exp.Null())))
        )
        names = [exp.column(n, quoted=True) for n, _ in keys]
        h = exp.column(hll.HASH)
        registers = (
            exp.select(
                *names,
                hll.register(h).as_(hll.INDEX),
                exp.Max(this=hll.rank(h.copy())).as_(hll.RANK),
            )
            .from_(hashed.subquery("v"))
            .group_by(*[n.copy() for n in names], hll.register(h.copy()))
        )
        tree = exp.select(
            *[n.copy() for n in names], hll.estimate(exp.column(hll.RANK)).as_(name, quoted=True)
        )
        tree = tree.from_(registers.subquery("g"))
        return tree.group_by(*[n.copy() for n in names]) if names else tree


def _only(value: exp.Expression, condition: exp.Expression) -> exp.Expression:
    """``value`` with each of its aggregates reading only the rows meeting ``condition``."""

    def restrict(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.AggFunc):
            return exp.Filter(this=node.copy(), expression=exp.Where(this=condition.copy()))
        return node

    return value.transform(restrict)


def bound_text(text: str, folded: bool) -> str:
    return text.lower() if folded else text


def _escape(text: str) -> str:
    for special in (ESCAPE, "%", "_"):
        text = text.replace(special, ESCAPE + special)
    return text


def _wildcard(pattern: str) -> str:
    """A * and ? pattern as LIKE: every other character stands for itself."""
    return _escape(pattern).replace("*", "%").replace("?", "_")


def _paged(tree: exp.Select, limit: int | None, offset: int) -> exp.Select:
    if limit is not None:
        tree = tree.limit(limit)
    return tree.offset(offset) if offset else tree
