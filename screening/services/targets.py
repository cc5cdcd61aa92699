"""The values of a screening a monitor queries or verifies, and what each is called.

A value is named by its shape (``screening.shapes``) and its key within the screening:
the shape's own key field where it has one (an observation's code, a checklist's
score), else the row's id (a medication course, a history event). The same naming
serves the entry form (which item of the form a value belongs to: ``spec``), the
summary, the query list and the change that clears a verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from eligibility import InputSpec, Requirements
from screening.engine_bridge import definition_for
from screening.models import WHOLE_SCREENING, Screening
from screening.shapes import HISTORY_EVENT, MEDICATION, OBSERVATION, SCORE_ITEMS, SHAPES, Shape

# Observations of these kinds may be queried before a value is entered ("ALT missing").
_OBSERVATION_INPUTS = frozenset(
    {"measurement", "lab", "qualitative", "answer", "judgment", "reference_date"}
)


@dataclass(frozen=True)
class Target:
    """One value of a screening (or the screening itself)."""

    shape: str
    key: str
    label: str
    spec: str = ""  # the input of the entry form it belongs to
    section: str = ""  # the section of the form
    revision: int = 0  # the row's revision; 0: nothing saved
    updated_at: datetime | None = None

    @property
    def ref(self) -> str:
        """``observation:alt``: one string for templates and form fields."""
        return f"{self.shape}:{self.key}"

    @property
    def saved(self) -> bool:
        return self.revision > 0


WHOLE = Target(WHOLE_SCREENING, "", "the screening as a whole")


def ref_of(shape: str, key: str) -> str:
    return f"{shape}:{key}"


def key_of(shape: Shape, row: models.Model) -> str:
    """A row's key within its screening."""
    return str(getattr(row, shape.key) if shape.key else row.pk)


def shape_named(name: str) -> Shape | None:
    return next((s for s in SHAPES if s.name == name), None)


def shape_of_noun(noun: str) -> Shape | None:
    """The shape whose rows are audited as ``screening.<noun>.*`` (None: not a value)."""
    return next((s for s in SHAPES if s.noun == noun), None)


def _medication_spec(drug: str, specs: list[InputSpec]) -> InputSpec | None:
    groups = [s for s in specs if s.kind == "medication"]
    return next((g for g in groups if drug == g.code or drug in {c.code for c in g.choices}), None)


def _choice_label(code: str, spec: InputSpec | None) -> str:
    if spec is not None:
        for choice in spec.choices:
            if choice.code == code:
                return choice.label
    return code.replace("_", " ")


def _row_target(shape: Shape, row: Any, spec: InputSpec | None, label: str) -> Target:
    return Target(
        shape=shape.name,
        key=key_of(shape, row),
        label=label,
        spec=spec.code if spec is not None else "",
        section=spec.section if spec is not None else "",
        revision=row.revision,
        updated_at=row.updated_at,
    )


def saved_targets(screening: Screening, requirements: Requirements | None = None) -> list[Target]:
    """Every saved value of the screening, in the form's order within each shape."""
    requirements = requirements or definition_for(screening).requirements()
    specs = list(requirements.inputs())
    by_code = {s.code: s for s in specs}
    out: list[Target] = []
    for obs in screening.observations.all():
        spec = by_code.get(obs.code)
        label = spec.label if spec is not None else obs.code.replace("_", " ")
        out.append(_row_target(OBSERVATION, obs, spec, label))
    for med in screening.medications.all():
        spec = _medication_spec(med.drug, specs)
        drug = _choice_label(med.drug, spec) if spec and spec.code != med.drug else None
        name = drug or (spec.label if spec is not None else med.drug)
        label = f"{name} from {med.start}" if med.start else name
        out.append(_row_target(MEDICATION, med, spec, label))
    for event in screening.history.all():
        spec = by_code.get(event.code)
        name = spec.label if spec is not None else event.code.replace("_", " ")
        label = f"{name} on {event.occurred_on}" if event.occurred_on else name
        out.append(_row_target(HISTORY_EVENT, event, spec, label))
    for items in screening.score_items.all():
        spec = by_code.get(items.score)
        label = spec.label if spec is not None else items.score
        out.append(_row_target(SCORE_ITEMS, items, spec, label))
    return out


def queryable_targets(screening: Screening) -> dict[str, Target]:
    """What a query may be raised on, by ``ref``: the screening, every saved value, and
    each observation the protocol asks for that has no value yet."""
    requirements = definition_for(screening).requirements()
    targets = {t.ref: t for t in saved_targets(screening, requirements)}
    for spec in requirements.inputs():
        ref = ref_of(OBSERVATION.name, spec.code)
        if spec.kind in _OBSERVATION_INPUTS and ref not in targets:
            targets[ref] = Target(OBSERVATION.name, spec.code, spec.label, spec.code, spec.section)
    return {WHOLE.ref: WHOLE, **targets}
