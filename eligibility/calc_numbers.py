"""Number handling shared by Eligo's calculators.

Every calculator takes its numbers through :func:`as_decimal` and checks them with
:func:`require_range`, so bad input is refused the same way everywhere: a
``ValueError`` whose message names the argument, its allowed range and the value given.

Arithmetic runs in :func:`exact_context`, a fixed 40-digit decimal context that does not
depend on the caller's context. Forty digits is far beyond any quantity's declared
precision, so the only rounding that matters is the caller's own, half-up, to the
quantity's precision.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, localcontext

Number = Decimal | int | str | float
"""What calculators accept. Floats go through ``str()`` first so that ``0.1`` means
``Decimal("0.1")``, not the binary approximation ``0.1000000000000000055…``."""

PRECISION = 40


def exact_context() -> AbstractContextManager[Context]:
    """A local decimal context with 40 significant digits, independent of the caller's."""
    return localcontext(Context(prec=PRECISION, rounding=ROUND_HALF_EVEN))


def as_decimal(value: object, name: str) -> Decimal:
    """Convert ``value`` to a finite Decimal or raise ``ValueError`` naming ``name``.

    ``bool`` is refused although it is an ``int``: ``True`` is never a measurement.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise ValueError(f"{name} must be a number, not {type(value).__name__} ({value!r})")
    try:
        # Decimal(str(x)) is exact and ignores the context, so no rounding happens here.
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name} must be a number (got {value!r})") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number (got {value!r})")
    return number


def require_range(
    value: Decimal, name: str, low: Decimal | int, high: Decimal | int, unit: str = ""
) -> Decimal:
    """Return ``value`` if ``low <= value <= high``, else raise a ``ValueError`` naming it."""
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise ValueError(
            f"{name} must be between {low} and {high}{suffix} inclusive (got {value}{suffix})"
        )
    return value


def power(base: Decimal, exponent: Decimal) -> Decimal:
    """``base ** exponent`` for a positive base, as ``exp(exponent × ln(base))``.

    Call inside :func:`exact_context`. An exponent of zero or a base of one give exactly 1,
    so factors that drop out of a formula do not carry a rounding residue. A whole exponent
    (an age in years) is raised by repeated multiplication, which is correctly rounded and
    about a hundred times faster than the logarithm.
    """
    if base <= 0:
        raise ValueError(f"power needs a positive base (got {base})")
    if exponent == 0 or base == 1:
        return Decimal(1)
    if exponent == exponent.to_integral_value():
        return base ** int(exponent)
    return (exponent * base.ln()).exp()
