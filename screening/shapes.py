"""Screening data, declared once per shape.

A *shape* is one kind of row of screening data: an observation (a measurement, a
laboratory or qualitative result, an answer or an investigator judgment), a medication
course, a history event, a score checklist. Each declares its fields once, here: what a
person calls the field, what kind of value it holds, which attribute of the change object
(``screening.services.changes``) carries it in, where the engine's facts document
(``docs/facts-format.md``) carries it out, under which key the audit trail tells it, and
whether a rescreening copies it.

What derives from this module: the fields a save compares and audits
(``screening.services.data``), the defaults of a new observation
(``screening.services.validation``), the copy made by a rescreening and what it may carry
(``screening.services.rescreening``), the saved state the facts document is built from
(``screening.engine_bridge``), the labels of the entry form (``screening.forms``), the audit nouns
and the completeness flags. ``tests/screening/test_shapes.py`` checks the rest against it:
the models, the change dataclasses, the form's field names, the audit trail's keys and
declared actions, the facts document, the live panel's unsaved values and
``changes_from_facts``. ``docs/architecture.md`` says how to add a field.

Only models are imported here, because the services, facts and forms import this module;
so a shape names its change dataclass rather than importing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from screening.models import (
    HistoryEvent,
    MedicationExposure,
    Observation,
    ObservationKind,
    ScoreItems,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# The unit the entry form records daily doses in, as the facts format writes it.
DOSE_UNIT = "mg/day"


class Kind(StrEnum):
    """What kind of value a field holds (and so which model field stores it)."""

    CODE = "code"  # a catalogue code or a name standing in for one
    TEXT = "text"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"  # one of the model field's choices
    MAPPING = "mapping"  # a JSON object
    LIST = "list"  # a JSON list


@dataclass(frozen=True)
class DataField:
    """One field of a shape, named as the model names it.

    ``change``: the attribute of the shape's change dataclass that carries the field in
    (``None``: the service works it out, such as the canonical value). ``fact``: where
    the facts document carries it, dotted inside one reading, exposure or event
    (``reference_range.lln``; ``None``: the engine is not given it). ``audit``: the key
    of the audit trail's changes that tells it (several fields may be told together,
    such as a value with its unit; ``None``: not told). ``copied``: a rescreening copies
    it with its row. ``form``: the entry form's field for it (for an observation the part
    after ``<code>__``; ``None``: not on the form).
    """

    name: str
    label: StrOrPromise
    kind: Kind
    _: KW_ONLY
    change: str | None
    fact: str | None
    audit: str | None
    form: str | None = None
    copied: bool = True


@dataclass(frozen=True)
class CompletenessFlag:
    """A flag on the screening saying a list of rows is complete ("history taken").

    Until it is set the engine is told nothing of the list: not taken is unknown,
    never "none".
    """

    name: str  # the field of Screening and of ScreeningChanges
    label: StrOrPromise
    noun: str  # audited as screening.<noun>.completed / .changed


@dataclass(frozen=True)
class Shape:
    """One kind of row of screening data, and its fields.

    ``key``: the field naming the row within its screening (``None``: rows are told
    apart by their id, and a change names a saved row by ``id``). ``changes``: the
    attribute of ``ScreeningChanges`` that carries rows of this shape;
    ``change_class``: the dataclass of ``screening.services.changes`` for one row
    (``None``: ``changes`` maps the key to the value). ``noun``: audit actions are
    ``screening.<noun>.created`` / ``.changed`` / ``.removed``.
    """

    name: str
    label: StrOrPromise
    model: type[models.Model]
    noun: str
    key: str | None
    changes: str
    change_class: str | None
    fields: tuple[DataField, ...]
    complete: CompletenessFlag | None = None

    def field(self, name: str) -> DataField:
        """The declared field ``name``; a ``KeyError`` for a field not declared."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} declares no field {name!r}")

    def label_of(self, name: str) -> StrOrPromise:
        """What a person calls the field ``name``."""
        return self.field(name).label

    @property
    def stored(self) -> tuple[str, ...]:
        """The fields a save compares, writes and audits: all but the key."""
        return tuple(f.name for f in self.fields if f.name != self.key)

    @property
    def copied(self) -> tuple[str, ...]:
        """The fields a rescreening copies into the new attempt, key included."""
        return tuple(f.name for f in self.fields if f.copied)

    def values(self, row: models.Model) -> dict[str, Any]:
        """The stored fields of a saved row."""
        return {name: getattr(row, name) for name in self.stored}

    def blank(self) -> dict[str, Any]:
        """The stored fields of a row where nothing was entered: the model's defaults."""
        concrete = {f.name: f for f in self.model._meta.concrete_fields}
        return {name: concrete[name].get_default() for name in self.stored}


@dataclass(frozen=True)
class ObservationUse:
    """How one kind of observation travels: its section of the facts document, the
    attribute of ``ScreeningChanges`` that carries it, and whether a rescreening may
    carry it over."""

    kind: ObservationKind
    facts: str
    changes: str
    carried: bool

    @property
    def is_answer(self) -> bool:
        """Answers and judgments: a code mapped to yes, no or unknown (``text_value``)."""
        return self.changes in ("answers", "judgments")

    @property
    def is_date(self) -> bool:
        """Reference dates: a code mapped to a day (``observed_on``)."""
        return self.kind == ObservationKind.REFERENCE_DATE


OBSERVATION_USES: Mapping[str, ObservationUse] = MappingProxyType(
    {
        use.kind: use
        for use in (
            ObservationUse(ObservationKind.MEASUREMENT, "measurements", "observations", True),
            ObservationUse(ObservationKind.LAB, "labs", "observations", True),
            ObservationUse(ObservationKind.QUALITATIVE, "labs", "observations", True),
            ObservationUse(ObservationKind.ANSWER, "answers", "answers", True),
            # The investigator judges each attempt afresh.
            ObservationUse(ObservationKind.JUDGMENT, "judgments", "judgments", False),
            # A new attempt plans its own randomisation and first dose.
            ObservationUse(
                ObservationKind.REFERENCE_DATE, "reference_dates", "reference_dates", False
            ),
        )
    }
)
ANSWER_USES = tuple(use for use in OBSERVATION_USES.values() if use.is_answer)
NOT_CARRIED = tuple(use.kind for use in OBSERVATION_USES.values() if not use.carried)


OBSERVATION = Shape(
    name="observation",
    label=_("Observation"),
    model=Observation,
    noun="observation",
    key="code",
    changes="observations",
    change_class="ObservationInput",
    fields=(
        DataField("code", _("Code"), Kind.CODE, change="code", fact="code", audit=None),
        # Decides the facts section and how the value is told (see OBSERVATION_USES).
        DataField("kind", _("Kind"), Kind.CHOICE, change=None, fact=None, audit=None),
        DataField(
            "value",
            _("Value in the canonical unit"),
            Kind.DECIMAL,
            change=None,
            fact=None,
            audit="converted",
        ),
        DataField(
            "unit", _("Canonical unit"), Kind.TEXT, change=None, fact=None, audit="converted"
        ),
        # As typed: the engine converts and rounds it itself, so its reasons quote it.
        DataField(
            "value_entered",
            _("Value"),
            Kind.TEXT,
            change="value",
            fact="value",
            audit="value",
            form="value",
        ),
        # A censored result's "<" or ">=": it travels inside the facts' value ("<20") and
        # is told with the value, so the trail's old → new shows it.
        DataField(
            "comparator",
            _("Below or above"),
            Kind.CHOICE,
            change="comparator",
            fact="value",
            audit="value",
        ),
        DataField(
            "unit_entered",
            _("Unit"),
            Kind.TEXT,
            change="unit",
            fact="unit",
            audit="value",
            form="unit",
        ),
        # A qualitative result; for answers and judgments, the answer (told as "answer").
        DataField(
            "text_value",
            _("Result"),
            Kind.TEXT,
            change="text",
            fact="result",
            audit="value",
            form="result",
        ),
        DataField(
            "observed_on",
            _("Date"),
            Kind.DATE,
            change="observed_on",
            fact="date",
            audit="date",
            form="date",
        ),
        DataField("source", _("Source"), Kind.TEXT, change="source", fact="source", audit="source"),
        DataField(
            "lln",
            _("LLN"),
            Kind.DECIMAL,
            change="lln",
            fact="reference_range.lln",
            audit="range",
            form="lln",
        ),
        DataField(
            "uln",
            _("ULN"),
            Kind.DECIMAL,
            change="uln",
            fact="reference_range.uln",
            audit="range",
            form="uln",
        ),
        DataField(
            "range_unit",
            _("Range unit"),
            Kind.TEXT,
            change="range_unit",
            fact="reference_range.unit",
            audit="range",
            form="range_unit",
        ),
        # The report's range or the site's, which the facts name as the range's source.
        DataField(
            "range_source",
            _("Range from"),
            Kind.CHOICE,
            change="range_from_report",
            fact="reference_range.source",
            audit="range",
        ),
        DataField(
            "implausible_confirmed",
            _("Unusual value confirmed"),
            Kind.BOOLEAN,
            change="implausible_confirmed",
            fact=None,
            audit="confirmed",
            form="confirm",
        ),
    ),
)

MEDICATION = Shape(
    name="medication",
    label=_("Medication course"),
    model=MedicationExposure,
    noun="medication",
    key=None,
    changes="medications",
    change_class="MedicationInput",
    fields=(
        # A catalogue drug or class (the facts name a class "class"), or a drug's name.
        DataField(
            "drug",
            _("Drug or class"),
            Kind.CODE,
            change="drug",
            fact="drug",
            audit="drug",
            form="drug",
        ),
        DataField("atc", _("ATC code"), Kind.TEXT, change="atc", fact="atc", audit="atc"),
        DataField(
            "route",
            _("Route"),
            Kind.CODE,
            change="route",
            fact="route",
            audit="route",
            form="route",
        ),
        DataField(
            "start",
            _("Start"),
            Kind.DATE,
            change="start",
            fact="start",
            audit="start",
            form="start",
        ),
        DataField(
            "stop", _("Last dose"), Kind.DATE, change="stop", fact="stop", audit="stop", form="stop"
        ),
        DataField(
            "ongoing",
            _("Ongoing"),
            Kind.BOOLEAN,
            change="ongoing",
            fact="ongoing",
            audit="ongoing",
            form="ongoing",
        ),
        DataField(
            "daily_dose",
            _("Daily dose"),
            Kind.DECIMAL,
            change="daily_dose",
            fact="daily_dose.value",
            audit="dose",
            form="daily_dose",
        ),
        # The form records doses in DOSE_UNIT; the audit tells the dose with its unit.
        DataField(
            "dose_unit",
            _("Dose unit"),
            Kind.TEXT,
            change="dose_unit",
            fact="daily_dose.unit",
            audit="dose",
        ),
    ),
    complete=CompletenessFlag(
        "medications_complete", _("Medication history"), "medication_history"
    ),
)

HISTORY_EVENT = Shape(
    name="history_event",
    label=_("History event"),
    model=HistoryEvent,
    noun="history_event",
    key=None,
    changes="history",
    change_class="HistoryInput",
    fields=(
        # The event type: the form has one list of rows per type.
        DataField("code", _("Event"), Kind.CODE, change="code", fact="code", audit="event"),
        DataField(
            "occurred_on",
            _("Date"),
            Kind.DATE,
            change="occurred_on",
            fact="date",
            audit="date",
            form="occurred_on",
        ),
        # One form field per detail of the event type: detail_<detail code>.
        DataField(
            "details",
            _("Details"),
            Kind.MAPPING,
            change="details",
            fact="details",
            audit="details",
            form="detail_",
        ),
    ),
    complete=CompletenessFlag("history_complete", _("Medical history"), "medical_history"),
)

SCORE_ITEMS = Shape(
    name="score_items",
    label=_("Score checklist"),
    model=ScoreItems,
    noun="score_items",
    key="score",
    # ScreeningChanges.score_items maps a checklist code to its ticked items.
    changes="score_items",
    change_class=None,
    fields=(
        DataField("score", _("Checklist"), Kind.CODE, change=None, fact=None, audit=None),
        # The form names the checklist's field by its code, and "<code>__none" says
        # that no item applies (an empty list, which is not the same as not assessed).
        DataField("items", _("Items"), Kind.LIST, change=None, fact="score_items", audit="items"),
    ),
)

SHAPES: tuple[Shape, ...] = (OBSERVATION, MEDICATION, HISTORY_EVENT, SCORE_ITEMS)

COMPLETENESS_FLAGS: tuple[CompletenessFlag, ...] = tuple(
    s.complete for s in SHAPES if s.complete is not None
)


def shape_of(model: type[models.Model]) -> Shape:
    """The shape whose rows the model stores."""
    for shape in SHAPES:
        if shape.model is model:
            return shape
    raise KeyError(f"{model.__name__} is not a shape of screening data")
