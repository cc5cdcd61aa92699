"""Access is worked out once per request and forgotten as soon as it changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.access import monitored
from accounts.models import SiteMembership
from accounts.roles import roles_of
from trials.models import MonitorAssignment

pytestmark = pytest.mark.django_db


def test_roles_are_read_once_for_one_user_object(coordinator_a: Any, site_a: Any) -> None:
    with CaptureQueriesContext(connection) as first:
        assert roles_of(coordinator_a).site_ids == {site_a.pk}
    with CaptureQueriesContext(connection) as again:
        for _ in range(5):
            roles_of(coordinator_a)
    assert len(first.captured_queries) == 1
    assert again.captured_queries == []


def test_a_new_membership_is_seen_by_the_same_user_object(
    coordinator_a: Any, site_a: Any, site_b: Any
) -> None:
    assert roles_of(coordinator_a).site_ids == {site_a.pk}
    membership = SiteMembership.objects.create(user=coordinator_a, site=site_b, role="investigator")
    assert roles_of(coordinator_a).investigator_site_ids == {site_b.pk}
    membership.delete()
    assert roles_of(coordinator_a).site_ids == {site_a.pk}


def test_assignments_and_their_sites_are_seen_at_once(monitor: Any, hmsc: Any, site_b: Any) -> None:
    assert monitored(monitor) == {}
    assignment = MonitorAssignment.objects.create(monitor=monitor, trial=hmsc)
    assert monitored(monitor) == {hmsc.pk: frozenset()}
    assignment.sites.add(site_b)
    assert monitored(monitor) == {hmsc.pk: frozenset({site_b.pk})}
    monitor.is_monitor = False
    monitor.save()
    assert monitored(monitor) == {}
    assert not roles_of(monitor).monitor
