"""Which calculators read the date of birth itself.

Screening pages shown to readers who may not see a candidate's identity withhold
the age and every value calculated from it (``screening/pseudonymise.py``). They
find those values from the catalogue: quantities computed by a calculator that
reads the date of birth, and everything whose inputs lead back to one. That list
of calculators is ``BIRTH_CALCULATORS`` there; this test fails when a calculator
starts reading the date of birth without the list learning of it.
"""

from __future__ import annotations

from eligibility.derive import CALCULATORS

# Keep equal to screening.pseudonymise.BIRTH_CALCULATORS.
BIRTH_CALCULATORS = {"age"}


def test_only_the_age_calculator_reads_the_date_of_birth() -> None:
    reading = {name for name, spec in CALCULATORS.items() if "date_of_birth" in spec.uses}
    assert reading == BIRTH_CALCULATORS


def test_every_other_calculator_needing_the_age_takes_it_as_an_input() -> None:
    """Age-dependent calculators name an ``age`` slot, which the catalogue feeds from
    the ``age`` quantity: the pseudonymiser follows inputs, so it finds them."""
    for name, spec in CALCULATORS.items():
        if name in BIRTH_CALCULATORS:
            continue
        assert "date_of_birth" not in spec.uses, name
