"""The calculators a derived quantity may name, and what each needs.

A catalogue (or a protocol definition) declares a derived quantity as data, e.g.::

    code: bmi
    calculator: bmi
    inputs: {weight: weight, height: height}

This table says which input slots each calculator has, the unit each slot expects (the
input quantity's value is converted to it exactly before the calculator runs), which
parameters it takes and which other facts it reads. The arithmetic itself lives in
:mod:`eligibility.calculators`; :mod:`eligibility.quantities` wires the two together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

Uses = tuple[str, ...]
"""Other facts a calculator reads: ``date_of_birth``, ``sex``, ``history``,
``medications``, ``items:padua``, ``items:caprini_2005``."""


@dataclass(frozen=True)
class CalculatorSpec:
    name: str
    description: str
    slots: Mapping[str, str]
    parameters: Mapping[str, tuple[str, ...]]
    uses: Uses


def _spec(
    name: str,
    description: str,
    slots: dict[str, str] | None = None,
    parameters: dict[str, tuple[str, ...]] | None = None,
    uses: Uses = (),
) -> CalculatorSpec:
    return CalculatorSpec(
        name,
        description,
        MappingProxyType(slots or {}),
        MappingProxyType(parameters or {}),
        uses,
    )


CALCULATORS: Mapping[str, CalculatorSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            _spec("age", "age in completed years on the screening date", uses=("date_of_birth",)),
            _spec(
                "years_since_event",
                "completed years from the latest event of a type to the screening date",
                parameters={"event": ()},
                uses=("history",),
            ),
            _spec("bmi", "weight / height² (kg/m²)", {"weight": "kg", "height": "cm"}),
            _spec(
                "egfr_ckd_epi_2021",
                "eGFR by the race-free CKD-EPI 2021 creatinine equation (Inker, NEJM 2021)",
                {"creatinine": "mg/dL", "age": "years"},
                uses=("sex",),
            ),
            _spec(
                "t_score",
                "T-score from BMD against the NHANES III young-female reference (Looker 1998)",
                {"bmd": "g/cm2"},
                {"site": ("femoral_neck", "total_hip")},
            ),
            _spec(
                "frax_glucocorticoid_adjusted",
                "FRAX probability adjusted for the prednisolone-equivalent dose (Kanis 2011)",
                {"probability": "%", "prednisolone_dose": "mg/day", "age": "years"},
                {"outcome": ("mof", "hip")},
            ),
            _spec(
                "prednisolone_equivalent_dose",
                "current daily dose of a drug class in prednisolone equivalents (BNF table)",
                parameters={"drug_class": ()},
                uses=("medications",),
            ),
            _spec(
                "padua",
                "Padua Prediction Score (Barbar 2010); age ≥ 70 and BMI ≥ 30 are derived",
                {"age": "years", "bmi": "kg/m2"},
                uses=("items:padua",),
            ),
            _spec(
                "caprini_2005",
                "Caprini score, 2005 form; the age item is derived from age",
                {"age": "years"},
                uses=("sex", "items:caprini_2005"),
            ),
            _spec(
                "homa_ir",
                "HOMA-IR = fasting glucose (mmol/L) × fasting insulin (µU/mL) / 22.5 "
                "(Matthews 1985)",
                {"glucose": "mmol/L", "insulin": "µU/mL"},
            ),
        )
    }
)
