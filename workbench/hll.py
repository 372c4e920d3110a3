"""HyperLogLog in SQL: 2^14 registers from a 64-bit hash, the same on every engine.

A value's 64-bit hash (DuckDB ``hash``, Spark ``xxhash64``) picks a register with its top
14 bits; the register keeps the largest rank (leading zeros + 1) seen among the remaining
50 bits (Flajolet et al.). The registers are read by Ertl's improved raw estimator (see
``estimate``), which needs neither linear counting for small counts nor, with a 64-bit
hash, a large-range correction. Standard error 1.04/sqrt(2^14) ≈ 0.81%.
"""

from __future__ import annotations

import math

from sqlglot import exp

PRECISION = 14
REGISTERS = 1 << PRECISION
REST_BITS = 64 - PRECISION
ALPHA_INF = 1 / (2 * math.log(2))  # the estimator's constant for m -> infinity
SIGMA_TERMS = 24
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

    Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
    sketches", 2017): ``alpha_inf m^2 / (sum of 2^-rank over filled registers + m
    sigma(empty / m))``, with ``sigma(x) = x + sum_k x^(2^k) 2^(k-1)``. Unlike the original
    estimator with its linear-counting switch it has no bias bump between 2.5m and 5m
    (41k-82k values here). The series is cut after ``SIGMA_TERMS`` terms, where x^(2^k)
    is below 1e-300 for any x < 1 - 1/m. A float, as Druid's hyperUnique (giosg answers
    212.05452): an estimate is not a count.
    """
    filled = exp.Count(this=exp.Star())
    empty = exp.Cast(
        this=exp.Sub(this=_n(REGISTERS), expression=filled), to=exp.DataType.build("double")
    )
    x = exp.Div(this=empty, expression=_n(float(REGISTERS)))
    sigma: exp.Expression = x.copy()
    for k in range(1, SIGMA_TERMS + 1):
        term = exp.Mul(
            this=exp.Pow(this=x.copy(), expression=_n(2**k)), expression=_n(2 ** (k - 1))
        )
        sigma = exp.Add(this=sigma, expression=term)
    harmonic = exp.Add(
        this=exp.Sum(this=exp.Pow(this=_n(2.0), expression=exp.Neg(this=rank_column))),
        expression=exp.Mul(this=_n(float(REGISTERS)), expression=exp.Paren(this=sigma)),
    )
    return exp.Div(this=_n(ALPHA_INF * REGISTERS * REGISTERS), expression=exp.Paren(this=harmonic))
