"""The access rules, role by role (the URL matrix lives in tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts import access
from trials.models import MonitorAssignment, Trial, TrialSite


@pytest.fixture
def trial(site_a: Any, site_b: Any) -> Trial:
    trial = Trial.objects.create(code="T1", title="Trial one")
    TrialSite.objects.create(trial=trial, site=site_a)
    TrialSite.objects.create(trial=trial, site=site_b)
    return trial


@pytest.fixture
def other_trial(site_a: Any) -> Trial:
    return Trial.objects.create(code="T2", title="Trial two")


def _visible_pairs(user: Any) -> set[tuple[str, str]]:
    scope = access.screening_scope(user)
    return {(ts.trial.code, ts.site.code) for ts in TrialSite.objects.filter(scope)}


def test_site_staff_see_every_trial_at_their_own_sites_only(
    personas: dict[str, Any], trial: Trial, other_trial: Trial, site_a: Any
) -> None:
    TrialSite.objects.create(trial=other_trial, site=site_a)
    assert _visible_pairs(personas["coordinator_a"]) == {("T1", "A01"), ("T2", "A01")}
    assert _visible_pairs(personas["coordinator_b"]) == {("T1", "B01")}


def test_a_monitor_sees_assigned_trials_at_all_or_listed_sites(
    personas: dict[str, Any], trial: Trial, other_trial: Trial, site_a: Any, site_b: Any
) -> None:
    monitor = personas["monitor"]
    assert _visible_pairs(monitor) == set()
    MonitorAssignment.objects.create(monitor=monitor, trial=trial)
    TrialSite.objects.create(trial=other_trial, site=site_b)
    assert _visible_pairs(monitor) == {("T1", "A01"), ("T1", "B01")}
    limited = MonitorAssignment.objects.create(monitor=monitor, trial=other_trial)
    limited.sites.add(site_a)
    assert _visible_pairs(monitor) == {("T1", "A01"), ("T1", "B01")}
    TrialSite.objects.create(trial=other_trial, site=site_a)
    assert ("T2", "A01") in _visible_pairs(monitor)
    assert ("T2", "B01") not in _visible_pairs(monitor)


def test_data_managers_and_strangers_see_no_screening_data(
    personas: dict[str, Any], trial: Trial
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert _visible_pairs(personas["data_manager"]) == set()
    assert _visible_pairs(AnonymousUser()) == set()


def test_an_inactive_user_sees_nothing(coordinator_a: Any, trial: Trial) -> None:
    coordinator_a.is_active = False
    coordinator_a.save()
    assert _visible_pairs(coordinator_a) == set()
    assert not access.can_enter_data(coordinator_a, site_id=trial.sites.get(code="A01").pk)


@pytest.mark.parametrize(
    ("persona", "view", "enter", "sign", "identity"),
    [
        ("coordinator_a", True, True, False, True),
        ("investigator_a", True, True, True, True),
        ("coordinator_b", False, False, False, False),
        ("monitor", True, False, False, False),
        ("data_manager", False, False, False, False),
    ],
)
def test_what_each_persona_may_do_with_site_a_data(
    personas: dict[str, Any],
    trial: Trial,
    site_a: Any,
    persona: str,
    view: bool,
    enter: bool,
    sign: bool,
    identity: bool,
) -> None:
    MonitorAssignment.objects.create(monitor=personas["monitor"], trial=trial)
    user = personas[persona]
    assert access.can_view_screening(user, trial_id=trial.pk, site_id=site_a.pk) is view
    assert access.can_enter_data(user, site_id=site_a.pk) is enter
    assert access.can_sign(user, site_id=site_a.pk) is sign
    assert access.can_see_identity(user, site_id=site_a.pk) is identity
    assert access.can_configure(user) is (persona == "data_manager")
