"""Between the generated form and the screening services.

``initial_from_saved`` turns a screening's stored rows into the form's initial
values; ``changes_from_form`` turns what the person changed into the
``ScreeningChanges`` that ``screening_save`` (and the live panel's
``pending``) take. Only what differs from the form's initial values is sent,
so an untouched field never counts as a change to saved data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from eligibility import Requirements, canonical_unit, plain_number
from screening.engine_bridge import site_reference_range
from screening.forms.entry import ScreeningEntryForm, is_numeric, is_qualitative
from screening.services.changes import (
    HistoryInput,
    MedicationInput,
    ObservationInput,
    ScreeningChanges,
)
from screening.shapes import DOSE_UNIT, MEDICATION


def plain(value: Decimal | None) -> Decimal | None:
    """``40.00000000`` → ``40``, ``2.15000000`` → ``2.15`` (never ``4E+1``), as the form
    shows a saved number."""
    return None if value is None else Decimal(plain_number(value))


@dataclass(frozen=True)
class SiteRange:
    """The site's reference range offered as the prefill of a laboratory result."""

    lln: Decimal | None
    uln: Decimal | None
    unit: str


def site_ranges_for(
    screening: Any, requirements: Requirements, identity: Any
) -> dict[str, SiteRange]:
    """The site's reference range of each laboratory test that needs one, for this
    candidate: the prefill of the form's range fields.

    The range is the one in force on the saved result's date (the range the result
    is judged against), or on the screening date for a result not saved yet.
    """
    dob = identity.date_of_birth if identity is not None else None
    result_dates = {
        code: day
        for code, day in screening.observations.values_list("code", "observed_on")
        if day is not None
    }
    out = {}
    for spec in requirements.inputs():
        if not (is_numeric(spec) and spec.needs_reference_range):
            continue
        on = result_dates.get(spec.code, screening.screening_date)
        found = site_reference_range(screening, spec.code, on=on, date_of_birth=dob)
        if found is not None:
            out[spec.code] = SiteRange(
                lln=plain(found.lln),
                uln=plain(found.uln),
                unit=canonical_unit(found.unit),
            )
    return out


def initial_from_saved(
    screening: Any, requirements: Requirements, site_ranges: dict[str, SiteRange]
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The form's initial values and rows from what is stored for ``screening``."""
    initial: dict[str, Any] = {
        "expected_revision": screening.revision,
        "medications_complete": screening.medications_complete,
        "history_complete": screening.history_complete,
    }
    saved = {o.code: o for o in screening.observations.all()}
    for spec in requirements.inputs():
        obs = saved.get(spec.code)
        code = spec.code
        if is_numeric(spec):
            site = site_ranges.get(code)
            if obs is not None:
                initial[f"{code}__value"] = obs.entered
                initial[f"{code}__unit"] = obs.unit_entered or spec.unit
                initial[f"{code}__date"] = obs.observed_on
                initial[f"{code}__confirm"] = obs.implausible_confirmed
            if spec.needs_reference_range:
                if obs is not None and (obs.lln is not None or obs.uln is not None):
                    initial[f"{code}__lln"] = plain(obs.lln)
                    initial[f"{code}__uln"] = plain(obs.uln)
                    initial[f"{code}__range_unit"] = obs.range_unit or spec.unit
                elif site is not None:
                    initial[f"{code}__lln"] = site.lln
                    initial[f"{code}__uln"] = site.uln
                    initial[f"{code}__range_unit"] = site.unit
        elif is_qualitative(spec) and obs is not None:
            initial[f"{code}__result"] = obs.text_value
            initial[f"{code}__date"] = obs.observed_on
        elif spec.kind in ("answer", "judgment") and obs is not None:
            initial[code] = obs.text_value
        elif spec.kind == "reference_date" and obs is not None:
            initial[code] = obs.observed_on
    for items in screening.score_items.all():
        initial[items.score] = list(items.items)
        initial[f"{items.score}__none"] = not items.items
    return initial, _saved_rows(screening, requirements)


def _saved_rows(screening: Any, requirements: Requirements) -> dict[str, list[dict[str, Any]]]:
    """Saved medication courses and events, grouped by the requirement they answer."""
    rows: dict[str, list[dict[str, Any]]] = {}
    groups = [s for s in requirements.inputs() if s.kind == "medication"]
    for med in screening.medications.all():
        group = next(
            (g for g in groups if med.drug == g.code or med.drug in {c.code for c in g.choices}),
            None,
        )
        if group is None:
            continue
        # The row form's fields are the ones MEDICATION declares for the form.
        row = {f.form: getattr(med, f.name) for f in MEDICATION.fields if f.form}
        row["daily_dose"] = plain(med.daily_dose)
        rows.setdefault(group.code, []).append({"row_id": med.pk, **row})
    for event in screening.history.all():
        row = {"row_id": event.pk, "occurred_on": event.occurred_on}
        row.update({f"detail_{k}": v for k, v in (event.details or {}).items()})
        rows.setdefault(event.code, []).append(row)
    return rows


def changes_from_form(
    form: ScreeningEntryForm, site_ranges: dict[str, SiteRange]
) -> tuple[ScreeningChanges, dict[str, tuple[str, int]]]:
    """What the person changed, from a form whose ``is_valid()`` has run, and where
    each medication and history row of the change came from (``medications.0`` →
    formset code and row index), to put the service's messages back beside them.

    Fields that did not validate are left out (so the live panel still reflects
    everything else that was typed).
    """
    data = getattr(form, "cleaned_data", {})
    changed = set(form.changed_data)
    observations: list[ObservationInput] = []
    answers: dict[str, str] = {}
    judgments: dict[str, str] = {}
    scores: dict[str, list[str] | None] = {}
    reference_dates: dict[str, Any] = {}
    for spec in form.requirements.inputs():
        code = spec.code
        touched = any(n == code or n.startswith(f"{code}__") for n in changed)
        if not touched:
            continue
        if is_numeric(spec):
            never_saved = form.initial.get(f"{code}__value") in (None, "")
            if never_saved and data.get(f"{code}__value") is None:
                continue  # a unit or range touched with no value: nothing to record
            observations.append(_numeric(spec, data, site_ranges.get(code)))
        elif is_qualitative(spec):
            observations.append(
                ObservationInput(
                    code=code,
                    text=data.get(f"{code}__result") or "",
                    observed_on=data.get(f"{code}__date"),
                )
            )
        elif spec.kind == "answer" and code in data:
            answers[code] = data[code] or ""
        elif spec.kind == "judgment" and code in data:
            judgments[code] = data[code] or ""
        elif spec.kind == "reference_date" and code in data:
            reference_dates[code] = data[code]  # None: cleared
        elif spec.kind == "checklist" and code in data:
            ticked = list(data[code])
            if ticked or data.get(f"{code}__none"):
                scores[code] = ticked
            elif form.initial.get(code) is not None:
                scores[code] = None  # unticked everything: no longer assessed
    medications, remove_medications, history, remove_history, origins = _rows(form)
    changes = ScreeningChanges(
        observations=tuple(observations),
        medications=tuple(medications),
        remove_medications=tuple(remove_medications),
        history=tuple(history),
        remove_history=tuple(remove_history),
        answers=MappingProxyType(answers),
        judgments=MappingProxyType(judgments),
        score_items=MappingProxyType(scores),
        reference_dates=MappingProxyType(reference_dates),
        medications_complete=_flag(form, "medications_complete"),
        history_complete=_flag(form, "history_complete"),
    )
    return changes, origins


def _flag(form: ScreeningEntryForm, name: str) -> bool | None:
    if name not in form.fields or name not in form.changed_data:
        return None
    return bool(form.cleaned_data.get(name))


def _numeric(spec: Any, data: dict[str, Any], site: SiteRange | None) -> ObservationInput:
    code = spec.code
    lln, uln = data.get(f"{code}__lln"), data.get(f"{code}__uln")
    range_unit = data.get(f"{code}__range_unit") or spec.unit or ""
    from_report = spec.needs_reference_range and (lln is not None or uln is not None)
    if from_report and site is not None:
        # The prefilled site range left as it was is the site's, not the report's.
        from_report = (lln, uln, range_unit) != (site.lln, site.uln, site.unit)
    entered = data.get(f"{code}__value")
    return ObservationInput(
        code=code,
        value=None if entered is None else entered.number,
        comparator="" if entered is None else entered.comparator,
        unit=data.get(f"{code}__unit") or spec.unit or "",
        observed_on=data.get(f"{code}__date"),
        range_from_report=bool(from_report),
        lln=lln if from_report else None,
        uln=uln if from_report else None,
        range_unit=range_unit if from_report else "",
        implausible_confirmed=bool(data.get(f"{code}__confirm")),
    )


def _rows(
    form: ScreeningEntryForm,
) -> tuple[
    list[MedicationInput], list[int], list[HistoryInput], list[int], dict[str, tuple[str, int]]
]:
    origins: dict[str, tuple[str, int]] = {}
    meds: list[MedicationInput] = []
    drop_meds: list[int] = []
    events: list[HistoryInput] = []
    drop_events: list[int] = []
    for code, formset in form.formsets.items():
        medication = formset.spec.kind == "medication"
        for index, row in enumerate(formset.forms):
            if not hasattr(row, "cleaned_data") or row.is_blank():
                continue
            d = row.cleaned_data
            row_id = d.get("row_id")
            if d.get("DELETE"):
                if row_id:
                    (drop_meds if medication else drop_events).append(row_id)
                continue
            if row_id and not row.has_changed():
                continue
            if medication:
                origins[f"medications.{len(meds)}"] = (code, index)
                meds.append(
                    MedicationInput(
                        drug=d.get("drug") or code,
                        id=row_id,
                        route=d.get("route") or "",
                        start=d.get("start"),
                        stop=d.get("stop"),
                        ongoing=bool(d.get("ongoing")),
                        daily_dose=d.get("daily_dose"),
                        dose_unit=DOSE_UNIT if d.get("daily_dose") is not None else "",
                    )
                )
            else:
                details = {
                    k.removeprefix("detail_"): v
                    for k, v in d.items()
                    if k.startswith("detail_") and v
                }
                origins[f"history.{len(events)}"] = (code, index)
                events.append(
                    HistoryInput(
                        code=code,
                        id=row_id,
                        occurred_on=d.get("occurred_on"),
                        details=MappingProxyType(details),
                    )
                )
    return meds, drop_meds, events, drop_events, origins
