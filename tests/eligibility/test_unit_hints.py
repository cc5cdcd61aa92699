"""Which other unit would make an implausible figure plausible, and limits said in the
unit a value was entered in (``plausible_units``, ``from_canonical``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility import UnitError, from_canonical, plausible_units, quantize, to_canonical
from eligibility.catalogue import Catalogue

D = Decimal


def test_creatinine_70_in_mg_per_dl_is_plausible_in_micromol(catalogue: Catalogue) -> None:
    creatinine = catalogue.quantities["creatinine"]
    assert plausible_units(creatinine, D(70), "mg/dL") == ("µmol/L",)
    assert plausible_units(creatinine, D("1.2"), "µmol/L") == ("mg/dL",)


def test_a_plausible_figure_needs_no_other_unit(catalogue: Catalogue) -> None:
    assert plausible_units(catalogue.quantities["creatinine"], D("0.8"), "mg/dL") == ()
    assert plausible_units(catalogue.quantities["weight"], D("58.4"), "kg") == ()


def test_a_figure_plausible_in_no_unit_gets_none(catalogue: Catalogue) -> None:
    assert plausible_units(catalogue.quantities["weight"], D(700), "kg") == ()
    # A quantity with one unit has nowhere else to look.
    assert plausible_units(catalogue.quantities["t_score_lumbar_spine"], D(-30), "") == ()


def test_from_canonical_inverts_to_canonical(catalogue: Catalogue) -> None:
    creatinine = catalogue.quantities["creatinine"]
    assert quantize(from_canonical(creatinine, D(40), "µmol/L"), 1) == D("3536.8")
    assert from_canonical(creatinine, D(40), "mg/dL") == D(40)
    with pytest.raises(UnitError):
        from_canonical(creatinine, D(40), "kg")


@given(st.decimals(min_value=D("0.05"), max_value=D(40), places=2))
def test_a_limit_said_in_another_unit_converts_back_to_itself(
    catalogue: Catalogue, value: Decimal
) -> None:
    creatinine = catalogue.quantities["creatinine"]
    there = from_canonical(creatinine, value, "µmol/L")
    assert quantize(to_canonical(creatinine, there, "µmol/L"), 2) == value
