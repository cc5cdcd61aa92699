"""Ages, anniversaries and calendar arithmetic for Eligo's time windows.

Two conventions live here, deliberately different:

* **Anniversaries** (:func:`age_on`, :func:`years_since`) count completed years: the year
  difference, minus one if the (month, day) anniversary has not been reached. For a
  29 February start the anniversary in a non-leap year is **1 March** (clinical-reference
  §7), so someone born on 29 Feb 2008 is 17 on 28 Feb 2026 and 18 on 1 Mar 2026.
* **Calendar arithmetic** (:func:`add_months`, :func:`add_years`, :func:`months_between`)
  clamps to the end of the month: 31 Jan + 1 month = 28 Feb (29 Feb in a leap year) and
  29 Feb 2024 + 1 year = 28 Feb 2025. :func:`months_between` is defined from
  :func:`add_months` — the largest ``n`` with ``add_months(start, n) <= end`` — so a window
  built with one and checked with the other always agree.

All functions take their dates as arguments; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime


def _require_date(value: object, name: str) -> date:
    # datetime is a subclass of date, but comparing one with a date raises TypeError, and a
    # time of day has no meaning for an anniversary.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a date (got {type(value).__name__} {value!r})")
    return value


def _completed_years(start: date, on: date, start_name: str) -> int:
    _require_date(start, start_name)
    _require_date(on, "on")
    if on < start:
        raise ValueError(f"on ({on.isoformat()}) must not be before {start_name} ({start})")
    years = on.year - start.year
    # Tuple comparison gives the 1 March convention for free: (2, 28) < (2, 29).
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return years


def age_on(date_of_birth: date, on: date) -> int:
    """Age in completed years on the date ``on``.

    A birthday on 29 February is reached on 1 March in non-leap years (clinical-reference
    §7, "Age from date of birth"). ``on`` before ``date_of_birth`` raises ``ValueError``.
    """
    return _completed_years(date_of_birth, on, "date_of_birth")


def years_since(start: date, on: date) -> int:
    """Completed years from ``start`` to ``on``, with the same anniversary convention as
    :func:`age_on`.

    Used for "years since menopause", counted from the final menstrual period in completed
    years (WHO/NAMS/STRAW summaries, clinical-reference §7).
    """
    return _completed_years(start, on, "start")


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months (negative ``n`` goes back), clamped to the end of
    the month: 31 Jan + 1 month = 28 Feb, or 29 Feb in a leap year."""
    _require_date(d, "d")
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"n must be a whole number of months (got {n!r})")
    index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"n = {n} months from {d.isoformat()} leaves the calendar (years 1–9999)")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def add_years(d: date, n: int) -> date:
    """``d`` moved by ``n`` years, clamped like :func:`add_months`: 29 Feb 2024 + 1 = 28 Feb
    2025."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"n must be a whole number of years (got {n!r})")
    return add_months(d, 12 * n)


def months_between(start: date, end: date) -> int:
    """Completed calendar months from ``start`` to ``end``: the largest ``n`` with
    ``add_months(start, n) <= end``.

    So 31 Jan → 28 Feb (non-leap) is 1 month, 15 Jan → 14 Feb is 0, and
    ``months_between(d, add_months(d, n)) == n`` for every ``n >= 0``. ``end`` before
    ``start`` raises ``ValueError``.
    """
    _require_date(start, "start")
    _require_date(end, "end")
    if end < start:
        raise ValueError(f"end ({end.isoformat()}) must not be before start ({start})")
    months = (end.year - start.year) * 12 + (end.month - start.month)
    # add_months(start, months) lands in end's month; if past end, one fewer is complete.
    if add_months(start, months) > end:
        months -= 1
    return months
