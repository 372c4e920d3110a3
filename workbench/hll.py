"""HyperLogLog in SQL: 2^14 registers from a 64-bit hash, the same on every engine.

A value's 64-bit hash (DuckDB ``hash``, Spark ``xxhash64``) picks a register with its top
14 bits; the register keeps the largest rank (leading zeros + 1) seen among the remaining
50 bits. The estimate is Flajolet et al.'s, with the small-range (linear counting)
correction; a 64-bit hash needs no large-range one. Standard error 1.04/sqrt(2^14) ≈ 0.81%.
"""

from __future__ import annotations

from sqlglot import exp

PRECISION = 14
REGISTERS = 1 << PRECISION
REST_BITS = 64 - PRECISION
ALPHA = 0.7213 / (1 + 1.079 / REGISTERS)
HASH64 = {"duckdb": "hash", "spark": "xxhash64"}  # engine -> its 64-bit hash of a string

HASH = "__hash"
INDEX = "__register"
RANK = "__rank"


def _n(value: float) -> exp.Literal:
    return exp.Literal.number(value)


def hash64(value: exp.Expression, dialect: str) -> exp.Expression:
    """The engine's 64-bit hash of ``value``."""
    return exp.Anonymous(this=HASH64[dialect], expressions=[value])


def register(hashed: exp.Expression) -> exp.Expression:
    """The register index: the hash's top 14 bits (masked, so a signed shift is fine too)."""
    shifted = exp.BitwiseRightShift(this=hashed, expression=_n(REST_BITS))
    return exp.BitwiseAnd(this=exp.Paren(this=shifted), expression=_n(REGISTERS - 1))


def rank(hashed: exp.Expression) -> exp.Expression:
    """Leading zeros of the hash's low 50 bits, plus one (51 when they are all zero).

    ``floor(log2(w))`` is w's highest set bit; a double can misplace it only for w within
    about 2^-52 of a power of two, a chance far below the estimator's own error.
    """
    rest = exp.Paren(this=exp.BitwiseAnd(this=hashed, expression=_n((1 << REST_BITS) - 1)))
    top_bit = exp.Cast(
        this=exp.Floor(this=exp.Log(this=_n(2), expression=rest)),
        to=exp.DataType.build("bigint"),
    )
    return exp.Case(
        ifs=[exp.If(this=exp.EQ(this=rest.copy(), expression=_n(0)), true=_n(REST_BITS + 1))],
        default=exp.Sub(this=_n(REST_BITS), expression=top_bit),
    )


def estimate(rank_column: exp.Expression) -> exp.Expression:
    """The aggregate turning a group's (register, max rank) rows into a distinct count.

    A float, as Druid's hyperUnique (giosg answers 212.05452): an estimate is not a count.
    """
    filled = exp.Count(this=exp.Star())
    empty = exp.Paren(this=exp.Sub(this=_n(REGISTERS), expression=filled))
    harmonic = exp.Add(
        this=exp.Sum(this=exp.Pow(this=_n(2.0), expression=exp.Neg(this=rank_column))),
        expression=empty,
    )
    raw = exp.Div(this=_n(ALPHA * REGISTERS * REGISTERS), expression=exp.Paren(this=harmonic))
    linear = exp.Mul(
        this=_n(float(REGISTERS)),
        expression=exp.Ln(
            this=exp.Div(
                this=_n(float(REGISTERS)),
                expression=exp.Cast(this=empty.copy(), to=exp.DataType.build("double")),
            )
        ),
    )
    small = exp.And(
        this=exp.LTE(this=raw.copy(), expression=_n(2.5 * REGISTERS)),
        expression=exp.GT(this=empty.copy(), expression=_n(0)),
    )
    return exp.Case(ifs=[exp.If(this=small, true=linear)], default=raw)
