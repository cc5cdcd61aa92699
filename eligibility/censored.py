"""Censored values: a result reported only as below or above a limit (``<20``, ``>2000``).

A laboratory reports ``<20 IU/mL`` when the analyte is below the assay's detection limit,
and ``>2000`` above its upper limit of quantification. Such a value is not a number but
an interval: ``<20`` allows every value below 20 (and not 20 itself), ``<=20`` also 20.
The quantity's possible (hard) limits close the other side: HBV DNA ``<20`` lies in
[0, 20). Comparisons then give true when every allowed value passes, false when none
does, and unknown otherwise (``docs/engine-conventions.md``).

One parser serves the facts document and the screening app's entry field, so both read
``<20``, ``< 20``, ``<=20``, ``≤20``, ``>2000``, ``>=2000`` and ``≥2000`` alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

Comparator = Literal["<", "<=", ">", ">="]
COMPARATORS: tuple[Comparator, ...] = ("<", "<=", ">", ">=")

# Longest spellings first, so "<=" is not read as "<" followed by "=20".
_SPELLINGS: tuple[tuple[str, Comparator], ...] = (
    ("<=", "<="),
    (">=", ">="),
    ("≤", "<="),
    ("≥", ">="),
    ("<", "<"),
    (">", ">"),
)
_SYMBOLS: dict[Comparator, str] = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_WORDS: dict[Comparator, str] = {
    "<": "below the detection limit",
    "<=": "at or below the detection limit",
    ">": "above the upper limit of quantification",
    ">=": "at or above the upper limit of quantification",
}


def split_comparator(text: str) -> tuple[Comparator | None, str]:
    """The comparator a value starts with, and the rest: ``"<20"`` → ``("<", "20")``,
    ``"≥ 2000"`` → ``(">=", "2000")``, ``"95"`` → ``(None, "95")``. The rest is not
    checked: the caller reads it as a number and says so if it is not one."""
    stripped = text.strip()
    for spelling, comparator in _SPELLINGS:
        if stripped.startswith(spelling):
            return comparator, stripped[len(spelling) :].strip()
    return None, stripped


def comparator_of(text: str) -> Comparator | None:
    """``text`` as a stored comparator (``"<="``, also ``"≤"``), or ``None`` for ``""``.

    Raises ``ValueError`` for anything else."""
    if not text:
        return None
    comparator, rest = split_comparator(text)
    if comparator is None or rest:
        raise ValueError(f"not a comparator: {text!r}; use <, <=, > or >=")
    return comparator


def symbol(comparator: Comparator | None) -> str:
    """The comparator as shown beside the number: ``<``, ``≤``, ``>``, ``≥`` (``""``
    for an exact value)."""
    return "" if comparator is None else _SYMBOLS[comparator]


def words(comparator: Comparator) -> str:
    """What the comparator says about the result, in a coordinator's words."""
    return _WORDS[comparator]


def is_below(comparator: Comparator) -> bool:
    return comparator in ("<", "<=")


def bounds(
    comparator: Comparator, limit: Decimal, low: Decimal | None, high: Decimal | None
) -> tuple[Decimal | None, bool, Decimal | None, bool]:
    """The interval a censored value allows, as ``(low, low_open, high, high_open)``:
    ``<20`` with possible values from 0 is ``(0, False, 20, True)``. ``low``/``high``
    are the quantity's possible (hard) limits, ``None`` where it has none."""
    if is_below(comparator):
        return low, False, limit, comparator == "<"
    return limit, comparator == ">", high, False


def is_possible(
    comparator: Comparator, limit: Decimal, low: Decimal | None, high: Decimal | None
) -> bool:
    """Whether any possible value is on the censored side of ``limit``: ``<0`` for a
    quantity that cannot be negative allows nothing."""
    lo, lo_open, hi, hi_open = bounds(comparator, limit, low, high)
    if lo is None or hi is None:
        return True
    return lo < hi or (lo == hi and not lo_open and not hi_open)
