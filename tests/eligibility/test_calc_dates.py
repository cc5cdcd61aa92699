"""Ages, years since an event, and calendar arithmetic for time windows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.calculators import add_months, add_years, age_on, months_between, years_since

# --- age_on ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1960, 5, 17), date(2025, 5, 16), 64),  # the day before the birthday
        (date(1960, 5, 17), date(2025, 5, 17), 65),  # exactly on the birthday
        (date(1960, 5, 17), date(2025, 5, 18), 65),
        (date(1960, 12, 31), date(2025, 1, 1), 64),
        (date(2000, 1, 1), date(2000, 1, 1), 0),  # the day of birth
    ],
)
def test_age_is_counted_in_completed_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(2026, 2, 28), 17),  # non-leap year: not yet 18
        (date(2026, 3, 1), 18),  # the anniversary of 29 Feb is 1 March
        (date(2028, 2, 28), 19),  # leap year: not yet 20
        (date(2028, 2, 29), 20),  # leap year: the birthday itself
    ],
)
def test_a_29_february_birthday_is_reached_on_1_march_in_non_leap_years(on: date, age: int) -> None:
    assert age_on(date(2008, 2, 29), on) == age


def test_age_on_refuses_a_date_before_birth() -> None:
    with pytest.raises(ValueError, match=r"on \(2000-01-01\) must not be before date_of_birth"):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


def test_age_on_refuses_a_datetime() -> None:
    with pytest.raises(ValueError, match=r"on must be a date \(got datetime"):
        age_on(date(2000, 1, 1), datetime(2020, 1, 1, 12, 0))  # noqa: DTZ001


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(dates, dates, dates)
def test_age_never_decreases_as_the_date_moves_on(born: date, a: date, b: date) -> None:
    if born <= a <= b:
        assert age_on(born, a) <= age_on(born, b)


@given(dates, st.integers(min_value=0, max_value=120))
def test_age_steps_up_exactly_on_the_anniversary(born: date, years: int) -> None:
    if born.month == 2 and born.day == 29:
        return  # covered by the 29 February test
    anniversary = date(born.year + years, born.month, born.day)
    assert age_on(born, anniversary) == years
    if years > 0:
        assert age_on(born, anniversary - timedelta(days=1)) == years - 1


# --- years_since ----------------------------------------------------------------------


def test_years_since_the_final_menstrual_period_counts_completed_years() -> None:
    fmp = date(2019, 6, 30)
    assert years_since(fmp, date(2024, 6, 29)) == 4
    assert years_since(fmp, date(2024, 6, 30)) == 5


def test_years_since_uses_the_1_march_anniversary_for_29_february() -> None:
    assert years_since(date(2020, 2, 29), date(2021, 2, 28)) == 0
    assert years_since(date(2020, 2, 29), date(2021, 3, 1)) == 1


def test_years_since_refuses_a_date_before_the_start() -> None:
    with pytest.raises(ValueError, match=r"must not be before start"):
        years_since(date(2024, 1, 2), date(2024, 1, 1))


# --- add_months, add_years ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # clamped to the end of February
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), 12, date(2026, 1, 15)),
        (date(2025, 6, 30), -12, date(2024, 6, 30)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 1, 1), -1, date(2024, 12, 1)),
        (date(2025, 5, 31), 0, date(2025, 5, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


def test_add_years_clamps_29_february_to_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2025, 3, 15), -2) == date(2023, 3, 15)


def test_add_months_refuses_to_leave_the_calendar() -> None:
    with pytest.raises(ValueError, match=r"leaves the calendar"):
        add_months(date(9999, 12, 1), 1)


def test_add_months_refuses_a_fractional_number_of_months() -> None:
    with pytest.raises(ValueError, match=r"n must be a whole number of months"):
        add_months(date(2025, 1, 1), 1.5)  # type: ignore[arg-type]


# --- months_between -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 1, 15), date(2025, 2, 14), 0),
        (date(2025, 1, 15), date(2025, 2, 15), 1),
        (date(2025, 1, 31), date(2025, 2, 28), 1),  # agrees with add_months' clamping
        (date(2025, 1, 31), date(2025, 2, 27), 0),
        (date(2024, 3, 1), date(2025, 3, 1), 12),
        (date(2024, 3, 2), date(2025, 3, 1), 11),
        (date(2025, 5, 5), date(2025, 5, 5), 0),
    ],
)
def test_months_between_counts_completed_months(start: date, end: date, months: int) -> None:
    assert months_between(start, end) == months


def test_months_between_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match=r"end \(2025-01-01\) must not be before start"):
        months_between(date(2025, 2, 1), date(2025, 1, 1))


@given(dates, st.integers(min_value=0, max_value=600))
def test_months_between_undoes_add_months(start: date, n: int) -> None:
    assert months_between(start, add_months(start, n)) == n


@given(dates, dates)
def test_months_between_is_the_largest_n_that_add_months_keeps_within_end(
    start: date, end: date
) -> None:
    if start <= end:
        n = months_between(start, end)
        assert add_months(start, n) <= end < add_months(start, n + 1)
