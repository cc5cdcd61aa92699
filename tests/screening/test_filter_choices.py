"""The filters' trial and site choices come from the small table of trial-site links,
as each person's access reaches them — never from the candidates."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.selectors import site_choices, trial_choices
from trials.models import MonitorAssignment

pytestmark = pytest.mark.django_db


def _codes(choices: list[tuple[str, str]]) -> list[str]:
    return [code for code, _label in choices]


def test_site_staff_choose_among_their_sites_and_its_trials(
    protocols: dict[str, Any], coordinator_a: Any, coordinator_b: Any
) -> None:
    assert _codes(trial_choices(coordinator_a)) == ["HMSC100", "NCT06495437"]
    assert _codes(site_choices(coordinator_a)) == ["A01"]
    assert _codes(site_choices(coordinator_b)) == ["B01"]


def test_a_monitor_chooses_among_the_assigned_trials_and_sites(
    protocols: dict[str, Any], monitor: Any, site_b: Any
) -> None:
    assert trial_choices(monitor) == []
    assignment = MonitorAssignment.objects.create(monitor=monitor, trial=protocols["HMSC100"].trial)
    assert _codes(trial_choices(monitor)) == ["HMSC100"]
    assert _codes(site_choices(monitor)) == ["A01", "B01"]  # no sites listed: every site
    assignment.sites.add(site_b)
    assert _codes(site_choices(monitor)) == ["B01"]


def test_the_choices_never_read_the_candidates(
    protocols: dict[str, Any], coordinator_a: Any, hmsc_screening: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        trial_choices(coordinator_a)
        site_choices(coordinator_a)
    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if "screening_candidate" in q["sql"]]
