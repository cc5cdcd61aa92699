"""Every screening test runs on the day after the example candidates were screened,
with no protocol definition cached from an earlier test.

The seed protocols and screenings (``protocols``, ``hmsc_screening`` ...) come from
``tests/conftest.py``; the helpers that register, start and fill screenings from
``tests/helpers.py``. ``varied`` is HMSC100 screened at two sites with every
outcome (``tests.screening.helpers.varied_trial``), for the log and the summary.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import PASSWORD
from tests.screening.helpers import varied_trial


@pytest.fixture(autouse=True)
def _frozen_today(frozen_today: None) -> None:
    """Today is 2026-11-21 for every screening test."""


@pytest.fixture(autouse=True)
def _fresh_definitions(fresh_definitions: None) -> None:
    """No definition parsed by another test is in the cache."""


@pytest.fixture
def investigator_b(site_b: Any) -> Any:
    from accounts.models import SiteMembership, User

    user = User.objects.create_user(username="inv.b", password=PASSWORD, full_name="Iris B")
    SiteMembership.objects.create(user=user, site=site_b, role="investigator")
    return user


@pytest.fixture
def varied(
    personas: dict[str, Any], investigator_b: Any, hmsc: Any, site_a: Any, site_b: Any
) -> dict[str, Any]:
    from trials.models import MonitorAssignment

    people_a = (personas["coordinator_a"], personas["investigator_a"], site_a)
    people_b = (personas["coordinator_b"], investigator_b, site_b)
    varied_trial(hmsc, site_a, site_b, people_a, people_b)
    MonitorAssignment.objects.create(monitor=personas["monitor"], trial=hmsc)
    return {**personas, "trial": hmsc, "site_a": site_a, "site_b": site_b}
