"""What the screening pages show to whom: monitors never see who the candidate is,
site staff do; search, filters, registration and starting a screening.

Which persona may open or post to which page is the access matrix's
(``tests/test_access_matrix.py``); ``world`` comes from ``tests/conftest.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.helpers import client_for, register

pytestmark = pytest.mark.django_db

IDENTITY = ("Erika Mustermann", "H-1", "1956-04-02", "2 Apr 1956", "02 Apr 1956")


@pytest.mark.parametrize(
    "url",
    [
        lambda w: "/",
        lambda w: reverse("screening:candidates"),
        lambda w: reverse("screening:candidates") + "?q=Erika",
        lambda w: reverse("screening:candidate", kwargs={"pk": w["screening"].candidate_id}),
        lambda w: reverse("screening:summary", kwargs={"pk": w["screening"].pk}),
    ],
    ids=["home", "list", "search-by-name", "candidate", "summary"],
)
def test_monitors_never_see_who_the_candidate_is(world: dict[str, Any], url: Any) -> None:
    response = client_for(world, "monitor").get(url(world))
    assert response.status_code == 200
    page = response.content.decode()
    for secret in IDENTITY:
        assert secret not in page, secret


def test_monitors_see_the_screening_number_sex_and_age(world: dict[str, Any]) -> None:
    screening = world["screening"]
    page = client_for(world, "monitor").get(reverse("screening:candidates")).content.decode()
    assert screening.candidate.screening_number in page
    assert "Female" in page
    assert "69–70" in page  # from the year of birth alone


def test_site_staff_see_the_identity(world: dict[str, Any]) -> None:
    url = reverse("screening:summary", kwargs={"pk": world["screening"].pk})
    page = client_for(world, "coordinator_a").get(url).content.decode()
    assert "Erika Mustermann" in page
    assert "2 Apr 1956" in page


def test_searching_by_name_finds_only_your_own_sites_candidates(world: dict[str, Any]) -> None:
    # The full name, in any case: names are found by their blind index, an exact match
    # (docs/privacy.md, "Search"), so a part of the name finds nobody.
    url = reverse("screening:candidates") + "?q=erika+MUSTERMANN"
    number = world["screening"].candidate.screening_number
    assert number in client_for(world, "coordinator_a").get(url).content.decode()
    assert number not in client_for(world, "coordinator_b").get(url).content.decode()
    partial = reverse("screening:candidates") + "?q=Mustermann"
    assert number not in client_for(world, "coordinator_a").get(partial).content.decode()


def test_the_list_filters_by_status(world: dict[str, Any]) -> None:
    number = world["screening"].candidate.screening_number
    client = client_for(world, "coordinator_a")
    url = reverse("screening:candidates")
    assert number in client.get(url + "?status=in_progress").content.decode()
    assert number not in client.get(url + "?status=enrolled").content.decode()


def test_registration_offers_only_the_users_sites(world: dict[str, Any]) -> None:
    page = client_for(world, "coordinator_b").get(reverse("screening:register")).content.decode()
    assert "at B01" in page
    assert "at A01" not in page


def test_registering_shows_the_allocated_screening_number(
    world: dict[str, Any], hmsc: Any, site_a: Any
) -> None:
    from trials.models import TrialSite

    link = TrialSite.objects.get(trial=hmsc, site=site_a)
    client = client_for(world, "coordinator_a")
    response = client.post(
        reverse("screening:register"),
        {
            "trial_site": link.pk,
            "full_name": "Maria Muster",
            "date_of_birth": "1950-01-31",
            "sex": "F",
            "hospital_number": "H-2",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "HMSC100-A01-0002" in page
    assert "Start screening" in page


def test_a_future_date_of_birth_is_refused_beside_the_field(
    world: dict[str, Any], hmsc: Any, site_a: Any
) -> None:
    from trials.models import TrialSite

    link = TrialSite.objects.get(trial=hmsc, site=site_a)
    response = client_for(world, "coordinator_a").post(
        reverse("screening:register"),
        {"trial_site": link.pk, "full_name": "Maria", "date_of_birth": "2030-01-01", "sex": "F"},
    )
    assert response.status_code == 200
    assert "is in the future" in response.content.decode()


def test_starting_a_screening_opens_the_data_entry(
    world: dict[str, Any], hmsc: Any, site_a: Any, coordinator_a: Any
) -> None:
    candidate = register(coordinator_a, hmsc, site_a, name="Anna Start")
    response = client_for(world, "coordinator_a").post(
        reverse("screening:candidate", kwargs={"pk": candidate.pk}),
        {"screening_date": "2026-11-20", "consent_date": "2026-11-19"},
    )
    screening = candidate.screenings.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:entry", kwargs={"pk": screening.pk})


def test_dashboards_show_what_needs_action(world: dict[str, Any]) -> None:
    number = world["screening"].candidate.screening_number
    coordinator = client_for(world, "coordinator_a").get("/").content.decode()
    assert 'data-testid="dashboard-coordinator"' in coordinator
    assert number in coordinator  # incomplete
    monitor = client_for(world, "monitor").get("/").content.decode()
    assert 'data-testid="dashboard-monitor"' in monitor
    assert number in monitor
    outsider = client_for(world, "coordinator_b").get("/").content.decode()
    assert number not in outsider
