"""Registering candidates: gapless screening numbers, identity kept apart, refusals."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from audit.models import AuditEvent
from audit.story import visible_changes
from screening.models import Candidate, CandidateIdentity, ScreeningNumberCounter
from screening.services import IdentityData, ScreeningRuleError, ScreeningValidationError
from tests.helpers import register
from trials.models import TrialSite

pytestmark = pytest.mark.django_db


def test_numbers_are_readable_and_count_up_per_trial_and_site(
    coordinator_a: Any, coordinator_b: Any, hmsc: Any, nct: Any, site_a: Any, site_b: Any
) -> None:
    first = register(coordinator_a, hmsc, site_a)
    second = register(coordinator_a, hmsc, site_a)
    other_trial = register(coordinator_a, nct, site_a, sex="M", born=date(1975, 6, 15))
    other_site = register(coordinator_b, hmsc, site_b)
    assert [first.screening_number, second.screening_number] == [
        "HMSC100-A01-0001",
        "HMSC100-A01-0002",
    ]
    assert other_trial.screening_number == "NCT06495437-A01-0001"
    assert other_site.screening_number == "HMSC100-B01-0001"


def test_a_refused_registration_leaves_no_gap(coordinator_a: Any, hmsc: Any, site_a: Any) -> None:
    register(coordinator_a, hmsc, site_a)
    with pytest.raises(ScreeningValidationError):
        register(coordinator_a, hmsc, site_a, born=date(2030, 1, 1))
    assert register(coordinator_a, hmsc, site_a).screening_number == "HMSC100-A01-0002"
    assert ScreeningNumberCounter.objects.get(trial=hmsc, site=site_a).last_number == 2


def test_identity_lives_apart_and_is_audited_flagged_as_identity(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    candidate = register(coordinator_a, hmsc, site_a, name="Erika Mustermann")
    assert (candidate.sex, candidate.year_of_birth) == ("F", 1956)
    identity = CandidateIdentity.objects.get(candidate=candidate)
    assert identity.full_name == "Erika Mustermann"
    assert identity.date_of_birth == date(1956, 4, 2)
    assert not hasattr(Candidate, "full_name")
    # Recorded in full, as every audited value is, but sealed with the candidate's
    # data key and flagged so that audit views show it to the site's staff only
    # (tests/screening/test_identity.py, tests/screening/test_identity_encryption.py).
    created = AuditEvent.objects.get(action="screening.candidate_identity.created")
    assert created.changes["full_name"]["new"]["sealed"].startswith("v1:")
    revealed = visible_changes(created, reveal_identity=True)
    assert revealed["full_name"]["new"] == "Erika Mustermann"
    assert all(change["identity"] for change in created.changes.values())
    trail = " ".join(str(e.changes) + e.object_repr for e in AuditEvent.objects.all())
    assert "Mustermann" not in trail
    assert "1956-04-02" not in trail
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"screening.candidate.created", "screening.candidate_identity.created"} <= actions


def test_an_outsider_cannot_register_at_another_site(
    coordinator_b: Any, hmsc: Any, site_a: Any
) -> None:
    with pytest.raises(PermissionDenied):
        register(coordinator_b, hmsc, site_a)


def test_a_monitor_cannot_register(monitor: Any, hmsc: Any, site_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        register(monitor, hmsc, site_a)


def test_registration_is_refused_where_the_trial_is_not_active(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    TrialSite.objects.filter(trial=hmsc, site=site_a).update(active=False)
    with pytest.raises(ScreeningRuleError, match="not screening at site A01"):
        register(coordinator_a, hmsc, site_a)


def test_a_future_date_of_birth_is_refused_by_name(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    from screening.services import candidate_register

    with pytest.raises(ScreeningValidationError) as caught:
        candidate_register(
            user=coordinator_a,
            trial=hmsc,
            site=site_a,
            identity=IdentityData(full_name="", date_of_birth=date(2027, 1, 1)),
            sex="X",
        )
    assert set(caught.value.message_dict) == {"full_name", "date_of_birth", "sex"}
    assert "in the future" in caught.value.message_dict["date_of_birth"][0]


def test_a_date_of_birth_before_1900_is_refused_by_name(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        register(coordinator_a, hmsc, site_a, born=date(1, 1, 1))
    assert caught.value.message_dict == {
        "date_of_birth": [
            "Date of birth: 0001-01-01 is not a plausible date; give one between 1900-01-01 "
            "and 2200-12-31."
        ]
    }
    assert not Candidate.objects.exists()


def test_candidates_are_scoped_to_the_people_who_may_see_them(
    coordinator_a: Any, coordinator_b: Any, monitor: Any, data_manager: Any, hmsc: Any, site_a: Any
) -> None:
    from trials.models import MonitorAssignment

    candidate = register(coordinator_a, hmsc, site_a)
    assert list(Candidate.objects.for_user(coordinator_a)) == [candidate]
    assert not Candidate.objects.for_user(coordinator_b).exists()
    assert not Candidate.objects.for_user(data_manager).exists()
    assert not Candidate.objects.for_user(monitor).exists()
    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc)
    assert list(Candidate.objects.for_user(monitor)) == [candidate]


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_registering_at_once_get_consecutive_numbers(
    coordinator_a: Any, investigator_a: Any, hmsc: Any, site_a: Any
) -> None:
    # On PostgreSQL the two registrations really overlap and the second waits on the
    # counter's row lock; SQLite serialises writers, so there they run one by one.
    concurrent = connection.vendor == "postgresql"
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2 if concurrent else 1)

    def work(user: Any) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            numbers.append(register(user, hmsc, site_a).screening_number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    if concurrent:
        threads = [
            threading.Thread(target=work, args=(u,)) for u in (coordinator_a, investigator_a)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    else:
        work(coordinator_a)
        work(investigator_a)
    assert errors == []
    assert sorted(numbers) == ["HMSC100-A01-0001", "HMSC100-A01-0002"]
