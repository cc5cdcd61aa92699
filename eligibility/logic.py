"""Kleene's strong three-valued logic, the only logic the engine reasons in.

A rule is true, false or unknown. Unknown is never collapsed to false: ``false and
unknown`` is false and ``true or unknown`` is true because the unknown operand cannot
change the answer, but ``true and unknown`` stays unknown.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Tri(enum.Enum):
    """A truth value that may be unknown."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool) -> Tri:
        return cls.TRUE if value else cls.FALSE


def t_not(value: Tri) -> Tri:
    """Negation: ``not unknown`` is unknown."""
    if value is Tri.UNKNOWN:
        return Tri.UNKNOWN
    return Tri.FALSE if value is Tri.TRUE else Tri.TRUE


def t_and(values: Iterable[Tri]) -> Tri:
    """Conjunction: false if any operand is false, else unknown if any is unknown."""
    result = Tri.TRUE
    for value in values:
        if value is Tri.FALSE:
            return Tri.FALSE
        if value is Tri.UNKNOWN:
            result = Tri.UNKNOWN
    return result


def t_or(values: Iterable[Tri]) -> Tri:
    """Disjunction: true if any operand is true, else unknown if any is unknown."""
    result = Tri.FALSE
    for value in values:
        if value is Tri.TRUE:
            return Tri.TRUE
        if value is Tri.UNKNOWN:
            result = Tri.UNKNOWN
    return result


def t_at_least(n: int, values: Iterable[Tri]) -> Tri:
    """True when at least ``n`` operands are true; false when even counting every unknown
    operand as true fewer than ``n`` could be; unknown otherwise."""
    items = list(values)
    true = sum(1 for v in items if v is Tri.TRUE)
    unknown = sum(1 for v in items if v is Tri.UNKNOWN)
    if true >= n:
        return Tri.TRUE
    if true + unknown < n:
        return Tri.FALSE
    return Tri.UNKNOWN
