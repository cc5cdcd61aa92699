"""Reference dates (planned randomisation, first dose): entered on the form under "Key
dates", stored per screening, audited like any value, and given to the engine, which
measures windows from them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.engine_bridge import facts_document
from screening.models import Observation, ObservationKind
from screening.services import ScreeningChanges, ScreeningValidationError
from screening.services.changes import HistoryInput, changes_from_facts
from tests.helpers import register, rendered, save, start

pytestmark = pytest.mark.django_db

DEFINITION = """format: eligo-protocol/1
trial: {code: KEYDATES, title: Surgery before the first dose}
protocol_version: "1"
reference_dates:
  - {code: first_dose, text: Planned first dose}
  - {code: randomisation, text: Planned randomisation}
criteria:
  - id: E1
    kind: exclusion
    text: Major surgery within 28 days before the first dose.
    rule: history of major_surgery within 28 days before first_dose
  - id: I1
    kind: inclusion
    text: Randomisation is planned.
    rule: randomisation is recorded
"""

SURGERY = HistoryInput(code="major_surgery", occurred_on=date(2026, 11, 15))


@pytest.fixture
def screening(coordinator_a: Any, site_a: Any, fresh_definitions: None) -> Any:
    from trials.catalogue import sync_builtin_catalogue
    from trials.models import TrialSite
    from trials.services.protocols import protocol_import

    sync_builtin_catalogue()
    version = protocol_import(
        text=DEFINITION, source_name="keydates.yaml", user=None, activate=True
    ).version
    TrialSite.objects.get_or_create(trial=version.trial, site=site_a)
    return start(coordinator_a, register(coordinator_a, version.trial, site_a))


def _e1(screening: Any) -> dict[str, Any]:
    result = screening.evaluations.latest().result
    criterion: dict[str, Any] = result["criteria"][0]
    return criterion


def test_a_key_date_is_stored_audited_and_evaluated(coordinator_a: Any, screening: Any) -> None:
    changes = ScreeningChanges(
        history=[SURGERY], history_complete=True, reference_dates={"first_dose": date(2026, 12, 10)}
    )
    save(coordinator_a, screening, changes)
    row = Observation.objects.get(screening=screening, code="first_dose")
    assert (row.kind, row.observed_on) == (ObservationKind.REFERENCE_DATE, date(2026, 12, 10))
    event = AuditEvent.objects.get(action="screening.observation.created")
    assert event.changes["first_dose"]["new"] == "2026-12-10"
    assert event.changes["first_dose"]["label"] == "Planned first dose"
    assert facts_document(screening)["reference_dates"] == {"first_dose": "2026-12-10"}
    e1 = _e1(screening)
    assert e1["outcome"] == "not_met"  # excluded: surgery 25 days before the first dose
    assert "the planned first dose (2026-12-10)" in " ".join(e1["reasons"])


def test_a_later_first_dose_is_a_change_with_a_reason(coordinator_a: Any, screening: Any) -> None:
    first = ScreeningChanges(
        history=[SURGERY], history_complete=True, reference_dates={"first_dose": date(2026, 12, 10)}
    )
    save(coordinator_a, screening, first)
    later = ScreeningChanges(reference_dates={"first_dose": date(2026, 12, 20)})
    with pytest.raises(ScreeningValidationError, match="reason"):
        save(coordinator_a, screening, later)
    save(coordinator_a, screening, later, reason="Randomisation moved by a week")
    event = AuditEvent.objects.get(action="screening.observation.changed")
    assert (event.changes["first_dose"]["old"], event.changes["first_dose"]["new"]) == (
        "2026-12-10",
        "2026-12-20",
    )
    assert event.reason == "Randomisation moved by a week"
    assert _e1(screening)["outcome"] == "met"  # 35 days: not excluded any more


def test_a_cleared_key_date_leaves_the_criterion_unknown_naming_it(
    coordinator_a: Any, screening: Any
) -> None:
    changes = ScreeningChanges(
        history=[SURGERY], history_complete=True, reference_dates={"first_dose": date(2026, 12, 10)}
    )
    save(coordinator_a, screening, changes)
    clear = ScreeningChanges(reference_dates={"first_dose": None})
    save(coordinator_a, screening, clear, reason_code="entered_in_error")
    assert not Observation.objects.filter(screening=screening, code="first_dose").exists()
    removed = AuditEvent.objects.get(action="screening.observation.removed")
    assert removed.changes["first_dose"]["old"] == "2026-12-10"
    e1 = _e1(screening)
    assert e1["outcome"] == "unknown"
    assert [(m["code"], m["kind"]) for m in e1["missing"]] == [("first_dose", "reference_date")]


def test_an_unknown_or_implausible_key_date_is_refused_by_field(
    coordinator_a: Any, screening: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, screening, ScreeningChanges(reference_dates={"rand": date(2027, 1, 1)}))
    assert caught.value.message_dict["rand"] == ["rand is not a reference date of this protocol."]
    far = ScreeningChanges(reference_dates={"first_dose": date(2300, 1, 1)})
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, screening, far)
    assert (
        "Planned first dose: 2300-01-01 is not a plausible date"
        in (caught.value.message_dict["first_dose"][0])
    )
    assert not Observation.objects.filter(screening=screening).exists()


def test_a_planned_date_may_lie_after_today(coordinator_a: Any, screening: Any) -> None:
    save(
        coordinator_a, screening, ScreeningChanges(reference_dates={"first_dose": date(2027, 3, 1)})
    )
    assert Observation.objects.get(code="first_dose").observed_on == date(2027, 3, 1)


def test_the_facts_document_reads_back_into_the_same_change(
    coordinator_a: Any, screening: Any
) -> None:
    save(
        coordinator_a,
        screening,
        ScreeningChanges(reference_dates={"first_dose": date(2026, 12, 10)}),
    )
    back = changes_from_facts(facts_document(screening))
    assert dict(back.reference_dates) == {"first_dose": date(2026, 12, 10)}


def test_the_entry_form_asks_for_key_dates_and_saves_them(
    coordinator_a: Any, screening: Any
) -> None:
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(reverse("screening:entry", kwargs={"pk": screening.pk})).content.decode()
    assert page.count("Key dates") == 1  # one group holds both dates
    assert "Planned first dose" in page
    assert "Planned randomisation" in page
    data = rendered(client, screening)
    assert "first_dose" in data
    assert "randomisation" in data
    data["first_dose"] = "2026-12-10"
    response = client.post(reverse("screening:entry", kwargs={"pk": screening.pk}), data)
    assert response.status_code == 302
    assert Observation.objects.get(code="first_dose").observed_on == date(2026, 12, 10)
    assert rendered(client, screening)["first_dose"] == "2026-12-10"
    summary = client.get(reverse("screening:summary", kwargs={"pk": screening.pk}))
    assert "2026-12-10" in summary.content.decode()


def test_the_live_panel_uses_a_key_date_being_typed(coordinator_a: Any, screening: Any) -> None:
    save(coordinator_a, screening, ScreeningChanges(history=[SURGERY], history_complete=True))
    client = Client()
    client.force_login(coordinator_a)
    data = rendered(client, screening)
    data["first_dose"] = "2026-12-10"
    url = reverse("screening:panel", kwargs={"pk": screening.pk})
    panel = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "2026-12-10" in panel
    assert not Observation.objects.filter(code="first_dose").exists()
