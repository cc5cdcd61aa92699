"""Kleene's three-valued logic: truth tables and laws."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.logic import Tri, t_and, t_at_least, t_not, t_or

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN
values = st.sampled_from([T, F, U])

AND = {
    (T, T): T,
    (T, F): F,
    (T, U): U,
    (F, T): F,
    (F, F): F,
    (F, U): F,
    (U, T): U,
    (U, F): F,
    (U, U): U,
}
OR = {
    (T, T): T,
    (T, F): T,
    (T, U): T,
    (F, T): T,
    (F, F): F,
    (F, U): U,
    (U, T): T,
    (U, F): U,
    (U, U): U,
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_and_follows_the_kleene_truth_table(a: Tri, b: Tri) -> None:
    assert t_and([a, b]) is AND[(a, b)]


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_or_follows_the_kleene_truth_table(a: Tri, b: Tri) -> None:
    assert t_or([a, b]) is OR[(a, b)]


def test_not_unknown_is_unknown() -> None:
    assert t_not(U) is U
    assert t_not(T) is F
    assert t_not(F) is T


def test_empty_and_is_true_and_empty_or_is_false() -> None:
    assert t_and([]) is T
    assert t_or([]) is F


@pytest.mark.parametrize(
    ("n", "items", "expected"),
    [
        (2, [T, T, F], T),
        (2, [T, F, F], F),
        (2, [T, U, F], U),
        (2, [T, U, U], U),
        (3, [T, U, F], F),
        (1, [U, U], U),
        (1, [F, F], F),
        (1, [F, T], T),
        (0, [F], T),
    ],
)
def test_at_least_is_true_with_n_true_false_when_unknowns_cannot_reach_n(
    n: int, items: list[Tri], expected: Tri
) -> None:
    assert t_at_least(n, items) is expected


@given(st.lists(values, max_size=6))
def test_any_of_equals_at_least_one_and_all_of_equals_at_least_all(items: list[Tri]) -> None:
    assert t_at_least(1, items) is t_or(items)
    assert t_at_least(len(items), items) is t_and(items)


@given(values, values)
def test_de_morgan_holds(a: Tri, b: Tri) -> None:
    assert t_not(t_and([a, b])) is t_or([t_not(a), t_not(b)])
    assert t_not(t_or([a, b])) is t_and([t_not(a), t_not(b)])


@given(values, values, values)
def test_and_or_are_associative_commutative_and_distributive(a: Tri, b: Tri, c: Tri) -> None:
    assert t_and([a, t_and([b, c])]) is t_and([t_and([a, b]), c])
    assert t_or([a, b]) is t_or([b, a])
    assert t_and([a, t_or([b, c])]) is t_or([t_and([a, b]), t_and([a, c])])


def _refines(known: Tri, vague: Tri) -> bool:
    return vague is U or vague is known


@given(st.lists(values, min_size=1, max_size=5), st.data())
def test_replacing_an_operand_by_unknown_never_flips_a_known_result(
    items: list[Tri], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(items) - 1))
    vaguer = [*items[:i], U, *items[i + 1 :]]
    n = data.draw(st.integers(0, len(items)))
    assert _refines(t_and(items), t_and(vaguer))
    assert _refines(t_or(items), t_or(vaguer))
    assert _refines(t_at_least(n, items), t_at_least(n, vaguer))
    assert _refines(t_not(items[i]), t_not(U))
