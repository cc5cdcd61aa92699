"""The engine's use of :mod:`eligibility.units`: spelling, fitting and rounding.

Quantities without a physical unit (T-scores, scores, counts) have the empty unit ``""``.
A few units the conversion table does not know (a protocol's own "drinks/day", say) are
kept as written and only ever compared for identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from eligibility import units
from eligibility.catalogue import Quantity

Factors = Mapping[str, Mapping[tuple[str, str], Decimal]]
"""Protocol-supplied conversion factors by analyte, e.g. HBV DNA IU/mL → copies/mL."""


@lru_cache(maxsize=512)
def canonical_unit(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return ""
    try:
        return units.normalise_unit(stripped)
    except units.UnitError:
        return stripped


def quantize(value: Decimal, precision: int) -> Decimal:
    """Round half-up to ``precision`` decimal places: the value shown is the value compared."""
    return value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def accepted_units(q: Quantity, factors: Factors | None = None) -> tuple[str, ...]:
    """The quantity's accepted units, canonical first, plus any unit a protocol factor
    makes reachable."""
    found = [q.unit, *(canonical_unit(u) for u in q.units)]
    if factors and q.analyte and q.analyte in factors:
        for a, b in factors[q.analyte]:
            found.extend((canonical_unit(a), canonical_unit(b)))
    return tuple(dict.fromkeys(found))


def to_canonical(q: Quantity, value: Decimal, unit: str, factors: Factors | None = None) -> Decimal:
    """``value`` in ``unit`` converted exactly to ``q``'s canonical unit (full precision).

    Raises :class:`eligibility.units.UnitError` when the unit does not fit ``q``.
    """
    written = canonical_unit(unit)
    if written == q.unit:
        return value
    accepted = accepted_units(q, factors)
    if written not in accepted:
        # A unit the table does not know is kept as written; the declaration's own
        # spelling in another case or spacing ("mm hg" for "mmHg") is still that unit.
        key = units.spelling_key(written)
        written = next((u for u in accepted if units.spelling_key(u) == key), written)
        if written == q.unit:
            return value
    if written not in accepted:
        allowed = ", ".join(u or "(no unit)" for u in accepted)
        raise units.UnitError(f"{written or '(no unit)'} is not a unit of {q.label}; use {allowed}")
    own = (factors or {}).get(q.analyte or "", None)
    return units.convert(value, q.analyte, written, q.unit, factors=own)


@lru_cache(maxsize=512)
def display_unit(unit: str) -> str:
    """The unit as a coordinator reads it: kg/m², g/cm², mL/min/1.73 m²."""
    return unit.replace("m2", "m²").replace("cm2", "cm²").replace("1.73m²", "1.73 m²")


def from_canonical(
    q: Quantity, value: Decimal, unit: str, factors: Factors | None = None
) -> Decimal:
    """``value`` in ``q``'s canonical unit converted exactly to ``unit`` (full precision):
    the inverse of :func:`to_canonical`, for saying a limit in the unit a value was
    entered in. Raises :class:`eligibility.units.UnitError` when the unit does not fit."""
    written = canonical_unit(unit)
    if written == q.unit:
        return value
    # to_canonical checks the unit against the quantity's accepted units first.
    to_canonical(q, Decimal(1), written, factors)
    own = (factors or {}).get(q.analyte or "", None)
    return units.convert(value, q.analyte, q.unit, written, factors=own)


def plausible_units(
    q: Quantity, value: Decimal, unit: str, factors: Factors | None = None
) -> tuple[str, ...]:
    """The other accepted units of ``q`` in which ``value`` would be plausible (within the
    soft limits), for a value that is implausible or impossible in ``unit``: creatinine 70
    entered in mg/dL is plausible in µmol/L. Empty when ``value`` is plausible as entered,
    or in no other unit."""
    entered = canonical_unit(unit) or q.unit

    def plausible_in(candidate: str) -> bool:
        try:
            converted = quantize(to_canonical(q, value, candidate, factors), q.precision)
        except (units.UnitError, ArithmeticError):
            return False
        return q.soft.contains(converted) and q.hard.contains(converted)

    if plausible_in(entered):
        return ()
    return tuple(u for u in accepted_units(q, factors) if u != entered and plausible_in(u))
