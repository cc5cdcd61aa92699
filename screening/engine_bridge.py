"""The one place that turns stored screening data into the engine's facts.

``facts_document`` builds the facts JSON of ``docs/facts-format.md`` from a
screening's saved rows, optionally overlaid with unsaved form values
(``pending``, the same :class:`ScreeningChanges` that ``screening_save``
takes) so the live panel can evaluate what the coordinator is typing.
``evaluate_screening`` runs the engine on it under the screening's pinned
protocol version, on the screening date.

Numbers go to the engine as typed, with the unit typed: the engine converts
and rounds them itself, so its reasons quote the same figures the form shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from config.builtcache import BuiltCache
from eligibility import (
    Catalogue,
    EvaluationResult,
    FactsError,
    ProtocolDefinition,
    age_on,
    evaluate,
    load_facts,
    plain_number,
    unasked_questions,
)
from screening.models import (
    CandidateIdentity,
    ObservationKind,
    RangeSource,
    Screening,
)
from screening.shapes import (
    ANSWER_USES,
    COMPLETENESS_FLAGS,
    HISTORY_EVENT,
    MEDICATION,
    OBSERVATION,
    OBSERVATION_USES,
    Shape,
)
from trials.catalogue import catalogue_stamp
from trials.models import ProtocolVersion, ReferenceRange
from trials.selectors import reference_range_for
from trials.services.protocols import load_version

if TYPE_CHECKING:
    # Only for annotations: the services import this module.
    from screening.services.changes import ObservationInput, ScreeningChanges

FACTS_FORMAT = "eligo-facts/1"


# --- The definition cache ---------------------------------------------------------------


class DefinitionCache(BuiltCache[tuple[int, str, str], ProtocolDefinition]):
    """Loaded protocol definitions, keyed by version id, content hash and catalogue
    stamp.

    Loading a definition parses and checks every rule against the catalogue built
    from the database, which costs far more than an evaluation. Active and
    superseded versions never change, so a loaded definition can be reused; the
    content hash guards against a draft edited in place, and the catalogue stamp
    (changed by every change to quantities and drugs, in any process) makes an edited
    limit or drug apply at the next evaluation.
    """

    def __init__(self, maxsize: int = 16) -> None:
        super().__init__(maxsize)

    def get(self, version: ProtocolVersion) -> ProtocolDefinition:
        key = (version.pk, version.source_hash, catalogue_stamp())
        return self.get_or_build(key, lambda: load_version(version))


definitions = DefinitionCache()


def definition_for(screening: Screening) -> ProtocolDefinition:
    """The engine definition of the protocol version the screening is pinned to."""
    return definitions.get(screening.protocol_version)


# --- Building the facts document -----------------------------------------------------


def observation_kind(catalogue: Catalogue, code: str) -> str | None:
    """What kind of observation ``code`` is under this catalogue; ``None``: unknown code."""
    quantity = catalogue.quantities.get(code)
    if quantity is not None:
        if quantity.kind == "derived":
            return None
        if quantity.is_qualitative:
            return ObservationKind.QUALITATIVE
        return ObservationKind.LAB if quantity.kind == "lab" else ObservationKind.MEASUREMENT
    question = catalogue.questions.get(code)
    if question is not None:
        return ObservationKind.JUDGMENT if question.kind == "judgment" else ObservationKind.ANSWER
    if code in catalogue.reference_dates:
        return ObservationKind.REFERENCE_DATE
    return None


def _typed(value: Decimal | None) -> str | None:
    """A reading as typed: its written precision is part of the record ("95.0")."""
    return None if value is None else format(value, "f")


# The facts are built from a state that holds every row as its declared fields
# (``screening.shapes``), named as the models name them: saved rows as they are stored,
# unsaved ones (``pending``) as they would be stored before the services' checks.


def _stored_state(screening: Screening) -> dict[str, Any]:
    return {
        "observations": {o.code: OBSERVATION.values(o) for o in screening.observations.all()},
        "medications": {m.pk: MEDICATION.values(m) for m in screening.medications.all()},
        "history": {h.pk: HISTORY_EVENT.values(h) for h in screening.history.all()},
        "score_items": {s.score: list(s.items) for s in screening.score_items.all()},
        **{flag.name: getattr(screening, flag.name) for flag in COMPLETENESS_FLAGS},
    }


def _as_fields(shape: Shape, item: Any) -> dict[str, Any]:
    """A row of a change as the shape's fields, each from the attribute declared to carry it."""
    return {
        f.name: getattr(item, f.change)
        for f in shape.fields
        if f.change is not None and f.name in shape.stored
    }


def _pending_observation(item: ObservationInput, kind: str) -> dict[str, Any]:
    # The canonical value is left blank: the engine converts what was typed itself.
    return {
        **OBSERVATION.blank(),
        **_as_fields(OBSERVATION, item),
        "kind": kind,
        "value_entered": _typed(item.value) or "",
        "text_value": item.text.strip(),
        "range_source": RangeSource.REPORT if item.range_from_report else RangeSource.SITE,
    }


def _overlay(state: dict[str, Any], pending: ScreeningChanges, catalogue: Catalogue) -> None:
    """Lay unsaved changes over the saved state, as a save would leave it."""
    _overlay_observations(state["observations"], pending, catalogue)
    _overlay_rows(
        state["medications"], pending.remove_medications, pending.medications, _medication
    )
    _overlay_rows(state["history"], pending.remove_history, pending.history, _history_event)
    for score, items in pending.score_items.items():
        if items is None:
            state["score_items"].pop(score, None)
        else:
            state["score_items"][score] = list(items)
    for flag in COMPLETENESS_FLAGS:
        if getattr(pending, flag.name) is not None:
            state[flag.name] = getattr(pending, flag.name)


def _overlay_observations(
    obs: dict[str, Any], pending: ScreeningChanges, catalogue: Catalogue
) -> None:
    for code in pending.remove_observations:
        obs.pop(code, None)
    for item in pending.observations:
        if item.is_blank:
            obs.pop(item.code, None)
            continue
        kind = observation_kind(catalogue, item.code) or ObservationKind.MEASUREMENT
        obs[item.code] = _pending_observation(item, kind)
    for use in ANSWER_USES:
        for code, answer in getattr(pending, use.changes).items():
            if answer.strip():
                text = answer.strip().lower()
                obs[code] = {**OBSERVATION.blank(), "kind": use.kind, "text_value": text}
            else:
                obs.pop(code, None)
    for code, day in pending.reference_dates.items():
        if day is None:
            obs.pop(code, None)
        else:
            kind = ObservationKind.REFERENCE_DATE
            obs[code] = {**OBSERVATION.blank(), "kind": kind, "observed_on": day}


def _overlay_rows(
    rows: dict[Any, Any], removed: Sequence[int], given: Sequence[Any], fields: Any
) -> None:
    """Courses or events: removed ones go, saved ones change, new ones get a key."""
    for pk in removed:
        rows.pop(pk, None)
    for i, row in enumerate(given):
        rows[row.id if row.id is not None else f"new-{i}"] = fields(row)


def _medication(m: Any) -> dict[str, Any]:
    return {**_as_fields(MEDICATION, m), "atc": m.atc.strip().upper()}


def _history_event(h: Any) -> dict[str, Any]:
    return {**_as_fields(HISTORY_EVENT, h), "details": dict(h.details)}


def site_reference_range(
    screening: Screening, code: str, *, on: date, date_of_birth: date | None
) -> ReferenceRange | None:
    """The site's reference range of the test ``code`` for the screening's candidate on
    ``on``: the range the engine is given for a result of that date, and the one the
    entry form offers, so that the two never differ."""
    age = None
    if date_of_birth is not None and date_of_birth <= on:
        age = age_on(date_of_birth, on)
    return reference_range_for(
        site=screening.candidate.site,
        quantity_code=code,
        sex=screening.candidate.sex,
        age=age,
        on=on,
    )


def _reference_range(
    screening: Screening, code: str, o: dict[str, Any], dob: date | None
) -> dict[str, str] | None:
    if o["range_source"] == RangeSource.REPORT:
        out: dict[str, str | None] = {
            "lln": plain_number(o["lln"]),
            "uln": plain_number(o["uln"]),
        }
        return {
            **{k: v for k, v in out.items() if v is not None},
            "unit": o["range_unit"] or o["unit_entered"] or "",
            "source": "report",
        }
    on = o["observed_on"] or screening.screening_date
    found = site_reference_range(screening, code, on=on, date_of_birth=dob)
    if found is None:
        return None
    limits = {"lln": plain_number(found.lln), "uln": plain_number(found.uln)}
    source = f"site {screening.candidate.site.code}" + (f": {found.source}" if found.source else "")
    return {
        **{k: v for k, v in limits.items() if v is not None},
        "unit": found.unit,
        "source": source,
    }


def _reading(
    screening: Screening, code: str, o: dict[str, Any], dob: date | None
) -> dict[str, Any]:
    reading: dict[str, Any] = {"code": code}
    if o["kind"] == ObservationKind.QUALITATIVE:
        reading["result"] = o["text_value"]
    else:
        # A censored result reaches the engine as written in facts: "<20".
        entered = o["value_entered"]
        reading["value"] = f"{o['comparator']}{entered}" if entered else None
        if o["unit_entered"]:
            reading["unit"] = o["unit_entered"]
    if o["observed_on"] is not None:
        reading["date"] = o["observed_on"].isoformat()
    if o["source"]:
        reading["source"] = o["source"]
    if o["kind"] == ObservationKind.LAB:
        ref = _reference_range(screening, code, o, dob)
        if ref is not None:
            reading["reference_range"] = ref
    return reading


def _exposure(catalogue: Catalogue, m: dict[str, Any]) -> dict[str, Any]:
    # A catalogue class is named as a class; anything else is a drug, known or not.
    key = "class" if m["drug"] in catalogue.drug_classes else "drug"
    out: dict[str, Any] = {key: m["drug"], "ongoing": bool(m["ongoing"])}
    for name in ("atc", "route"):
        if m.get(name):
            out[name] = m[name]
    for name in ("start", "stop"):
        if m.get(name) is not None:
            out[name] = m[name].isoformat()
    if m.get("daily_dose") is not None:
        out["daily_dose"] = {
            "value": plain_number(m["daily_dose"]),
            "unit": m.get("dose_unit") or "",
        }
    return out


def _event(h: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = {"code": h["code"]}
    if h["occurred_on"]:
        event["date"] = h["occurred_on"].isoformat()
    if h["details"]:
        event["details"] = dict(h["details"])
    return event


def _sorted(values: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(values, key=lambda v: (v.get(key) or date.min, str(v)))


def facts_document(
    screening: Screening,
    *,
    pending: ScreeningChanges | None = None,
    definition: ProtocolDefinition | None = None,
) -> dict[str, Any]:
    """The engine's facts document for this screening (saved data, plus ``pending``)."""
    definition = definition or definition_for(screening)
    state = _stored_state(screening)
    if pending is not None:
        _overlay(state, pending, definition.catalogue)
    identity = CandidateIdentity.objects.filter(candidate_id=screening.candidate_id).first()
    # The date of birth is read here, to choose age-specific reference ranges, and
    # never leaves: the facts (stored with each evaluation) carry the age on the
    # screening date, which is all the engine reads of it.
    dob = identity.date_of_birth if identity is not None else None
    doc: dict[str, Any] = {
        "format": FACTS_FORMAT,
        "screening_date": screening.screening_date.isoformat(),
        # Recorded when screening started: it answers the consent question.
        "consent_date": screening.consent_date.isoformat(),
        "sex": screening.candidate.sex,
        "measurements": [],
        "labs": [],
        "answers": {},
        "judgments": {},
        "score_items": dict(sorted(state["score_items"].items())),
        "reference_dates": {},
    }
    if dob is not None and dob <= screening.screening_date:
        doc["age"] = age_on(dob, screening.screening_date)
    for code, o in sorted(state["observations"].items()):
        use = OBSERVATION_USES[o["kind"]]
        if use.is_answer:
            doc[use.facts][code] = o["text_value"]
        elif use.is_date:
            doc[use.facts][code] = o["observed_on"].isoformat()
        else:
            doc[use.facts].append(_reading(screening, code, o, dob))
    # Not taken yet means unknown to the engine, never "none".
    if state["medications_complete"]:
        doc["medications"] = [
            _exposure(definition.catalogue, m)
            for m in _sorted(state["medications"].values(), "start")
        ]
    if state["history_complete"]:
        doc["history"] = [_event(h) for h in _sorted(state["history"].values(), "occurred_on")]
    return doc


class FactsRefused(ValueError):
    """The protocol refuses a value the screening holds (typed or stored): an event detail
    its event type does not declare. ``field`` is the facts field
    (``history[0].details.fragility``)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def evaluate_facts(
    screening: Screening, document: dict[str, Any], definition: ProtocolDefinition
) -> EvaluationResult:
    """Evaluate ``document`` under ``definition``. The facts are read with the protocol's
    catalogue, so event details are matched in the declared spelling; a value the protocol
    does not declare raises :class:`FactsRefused` naming the field."""
    try:
        facts = load_facts(
            document, source=f"screening {screening.pk}", catalogue=definition.catalogue
        )
    except FactsError as exc:
        raise FactsRefused(exc.path, exc.message) from None
    return evaluate(definition, facts, screening.screening_date)


def unasked(screening: Screening) -> dict[str, str]:
    """The questions the entry form does not ask for this screening's candidate, each with
    why ("Does not apply: sex is male"), from the saved data; {} when the saved facts
    cannot be read (the panel then says why)."""
    definition = definition_for(screening)
    document = facts_document(screening, definition=definition)
    try:
        facts = load_facts(
            document, source=f"screening {screening.pk}", catalogue=definition.catalogue
        )
    except FactsError:
        return {}
    return unasked_questions(definition, facts, screening.screening_date)


def evaluate_screening(
    screening: Screening, *, pending: ScreeningChanges | None = None
) -> EvaluationResult:
    """Evaluate the screening (plus ``pending``) under its pinned protocol version,
    on its screening date. The engine never reads the clock; nor does this."""
    definition = definition_for(screening)
    document = facts_document(screening, pending=pending, definition=definition)
    return evaluate_facts(screening, document, definition)
