"""Amendment impact: a data manager forecasts what a protocol version would change for
the trial's open screenings; the screenings themselves never change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from config.celery import app
from outbox.models import OutboxMessage
from screening.models import AmendmentImpact, Evaluation, ImpactStatus
from screening.services.amendments import amendment_impact_request, amendment_impact_run
from screening.tasks import queue_amendment_impact
from tests.helpers import ROOT, enter_example
from trials.services.protocols import protocol_import

pytestmark = pytest.mark.django_db

HMSC = ROOT / "protocols" / "hmsc100.yaml"


def _draft(label: str, **replace: str) -> Any:
    text = HMSC.read_text(encoding="utf-8")
    text = text.replace('protocol_version: "1.0-registry"', f'protocol_version: "{label}"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return protocol_import(text=text, source_name=f"hmsc100-{label}.yaml", user=None).version


@pytest.fixture
def eligible(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    """Site A's hMSC100 candidate (70 years old), entered as the eligible example."""
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.evaluations.newest_first().first().status == "eligible"
    return hmsc_screening


@pytest.fixture
def in_place() -> Iterator[None]:
    """The forecast task runs in place, as with no broker, whether or not this run has one."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


AGE_CAP = {"age between 45 and 85 years": "age between 45 and 65 years"}


def test_a_tighter_age_limit_is_forecast_to_exclude_the_candidate(
    data_manager: Any, eligible: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft = _draft("2.0", **AGE_CAP)
    evaluations_before = Evaluation.objects.filter(screening=eligible).count()
    with django_capture_on_commit_callbacks() as callbacks:
        impact = amendment_impact_request(
            user=data_manager, version=draft, queue=queue_amendment_impact
        )
    assert callbacks, "the forecast is handed to a worker once the request commits"
    assert impact.status == ImpactStatus.QUEUED
    assert OutboxMessage.objects.filter(key=f"screening.amendment_impact:{impact.pk}").exists()
    assert impact.compared_to is not None
    assert impact.compared_to.label == "1.0-registry"
    event = AuditEvent.objects.get(action="screening.amendment_impact.requested")
    assert event.actor == data_manager
    assert event.changes["compared_to"]["new"] == "1.0-registry"

    impact = amendment_impact_run(impact.pk)
    assert impact.status == ImpactStatus.DONE
    assert (impact.total, impact.done, impact.changed_count) == (1, 1, 1)
    assert impact.transitions == {"eligible → ineligible": 1}
    assert impact.by_criterion == {"I2": 1}
    (row,) = impact.changed
    assert row["screening"] == eligible.candidate.screening_number
    assert (row["site"], row["from"], row["to"]) == ("A01", "eligible", "ineligible")
    assert row["criteria"] == [{"id": "I2", "from": "met", "to": "not_met"}]
    # A forecast, never a change: the screening keeps its version and its evaluations.
    eligible.refresh_from_db()
    assert eligible.protocol_version.label == "1.0-registry"
    assert Evaluation.objects.filter(screening=eligible).count() == evaluations_before


def test_a_change_of_wording_only_changes_no_outcome(data_manager: Any, eligible: Any) -> None:
    draft = _draft("1.1", **{"with primary menopause": "with a primary menopause"})
    impact = amendment_impact_request(user=data_manager, version=draft, queue=lambda pk: None)
    impact = amendment_impact_run(impact.pk)
    assert (impact.status, impact.total, impact.changed_count) == ("done", 1, 0)
    assert impact.changed == []


def test_decided_screenings_are_not_forecast(
    data_manager: Any, eligible: Any, investigator_a: Any, coordinator_a: Any
) -> None:
    from screening.services import decision_propose, decision_sign
    from tests.conftest import PASSWORD

    decision = decision_propose(user=coordinator_a, screening=eligible, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    impact = amendment_impact_request(
        user=data_manager, version=_draft("2.0", **AGE_CAP), queue=lambda pk: None
    )
    assert amendment_impact_run(impact.pk).total == 0


def test_asking_twice_gives_the_forecast_on_its_way_and_a_second_delivery_is_harmless(
    data_manager: Any, eligible: Any
) -> None:
    draft = _draft("2.0", **AGE_CAP)
    queued: list[int] = []
    first = amendment_impact_request(user=data_manager, version=draft, queue=queued.append)
    second = amendment_impact_request(user=data_manager, version=draft, queue=queued.append)
    assert first.pk == second.pk
    assert queued == [first.pk]
    done = amendment_impact_run(first.pk)
    again = amendment_impact_run(first.pk)
    assert (again.status, again.finished_at, again.changed) == (
        "done",
        done.finished_at,
        done.changed,
    )
    # Once done, asking again makes a new forecast with the data of the day.
    third = amendment_impact_request(user=data_manager, version=draft, queue=queued.append)
    assert third.pk != first.pk
    assert AmendmentImpact.objects.filter(version=draft).count() == 2


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a", "monitor"])
def test_only_a_data_manager_forecasts(
    request: pytest.FixtureRequest, persona: str, eligible: Any
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        amendment_impact_request(user=user, version=_draft("2.0", **AGE_CAP), queue=lambda pk: None)
    assert not AmendmentImpact.objects.exists()
    client = Client()
    client.force_login(user)
    url = reverse("screening:amendment_impact", args=[eligible.protocol_version.pk])
    assert client.get(url).status_code == 404


def test_the_page_starts_the_forecast_and_shows_what_would_change(
    data_manager: Any,
    eligible: Any,
    in_place: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from screening.models import CandidateIdentity

    draft = _draft("2.0", **AGE_CAP)
    client = Client()
    client.force_login(data_manager)
    url = reverse("screening:amendment_impact", args=[draft.pk])
    preview = client.get(reverse("admin:trials_protocolversion_preview", args=[draft.pk]))
    assert url in preview.content.decode()
    assert 'data-testid="impact-none"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    page = " ".join(client.get(url).content.decode().split())
    assert "1 of 1 open screenings would change outcome." in page
    assert "eligible → ineligible" in page
    assert eligible.candidate.screening_number in page
    assert "I2 (met → not_met)" in page
    identity = CandidateIdentity.objects.get(candidate=eligible.candidate)
    assert identity.full_name not in page
    assert identity.date_of_birth.isoformat() not in page


@pytest.mark.broker
def test_the_forecast_runs_in_a_real_worker_through_the_broker(
    celery_worker: Any, fresh_definitions: None, data_manager: Any, eligible: Any
) -> None:
    import time

    draft = _draft("2.0", **AGE_CAP)
    client = Client()
    client.force_login(data_manager)
    url = reverse("screening:amendment_impact", args=[draft.pk])
    assert client.post(url).status_code == 302  # committed: the outbox hands it over
    impact = AmendmentImpact.objects.get(version=draft)
    deadline = time.monotonic() + 60
    while impact.pending and time.monotonic() < deadline:
        time.sleep(0.2)
        impact.refresh_from_db()
    assert impact.status == ImpactStatus.DONE, impact.error
    assert (impact.total, impact.changed_count) == (1, 1)
    assert "1 of 1 open screenings would change outcome." in " ".join(
        client.get(url).content.decode().split()
    )
