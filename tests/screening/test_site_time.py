"""Time at the site: "today" is the site's today wherever a date is judged, and stored
moments are shown on the site's clock — signatures with the UTC time beside it.

Sites east (Australia/Brisbane, UTC+10, no DST) and west (America/Los_Angeles, UTC−8/−7)
of UTC and in Europe/Berlin (UTC+1/+2), around local midnight and the DST changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.models import Screening
from screening.services import (
    IdentityData,
    ObservationInput,
    ScreeningChanges,
    ScreeningValidationError,
    candidate_register,
    screening_start,
)
from screening.services.reminders import washout_reminders_send
from tests.helpers import PASSWORD, register, save, sign_withdrawal, start
from tests.screening.helpers import washout_ending_soon

pytestmark = pytest.mark.django_db


@contextmanager
def at(moment: str) -> Iterator[None]:
    """The clock stopped at ``moment`` (ISO 8601 with its offset)."""
    with time_machine.travel(moment, tick=False):
        yield


def make_site(code: str, zone: str, trial: Any) -> dict[str, Any]:
    """A site in ``zone`` screening for ``trial``, with a coordinator and an investigator."""
    from accounts.models import SiteMembership, User
    from trials.models import Site, TrialSite

    site = Site.objects.create(code=code, name=f"Site {code}", country="XX", time_zone=zone)
    TrialSite.objects.create(trial=trial, site=site)
    staff: dict[str, Any] = {"site": site}
    for role, name in (("coordinator", "Cora"), ("investigator", "Ivan")):
        user = User.objects.create_user(
            username=f"{role}.{code}", password=PASSWORD, full_name=f"{name} {code}"
        )
        SiteMembership.objects.create(user=user, site=site, role=role)
        staff[role] = user
    return staff


@pytest.fixture
def brisbane(hmsc: Any) -> dict[str, Any]:
    return make_site("BNE", "Australia/Brisbane", hmsc)


@pytest.fixture
def los_angeles(hmsc: Any) -> dict[str, Any]:
    return make_site("LAX", "America/Los_Angeles", hmsc)


@pytest.fixture
def berlin(hmsc: Any, site_a: Any, coordinator_a: Any, investigator_a: Any) -> dict[str, Any]:
    return {"site": site_a, "coordinator": coordinator_a, "investigator": investigator_a}


def begin(staff: dict[str, Any], hmsc: Any, day: date) -> Screening:
    """Register a candidate at the site and start screening on ``day`` (consent the same day)."""
    candidate = register(staff["coordinator"], hmsc, staff["site"])
    screening: Screening = start(
        staff["coordinator"], candidate, screening_date=day, consent_date=day
    )
    return screening


def refused_fields(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ScreeningValidationError) as caught:
        call()
    return caught.value.message_dict


# --- "Today" is the site's today -------------------------------------------------


def test_at_eight_in_the_morning_in_brisbane_todays_date_is_accepted(
    brisbane: dict[str, Any], hmsc: Any
) -> None:
    # 08:00 AEST on 21 Nov is 22:00 UTC on 20 Nov: UTC has not reached the 21st yet.
    with at("2026-11-20T22:00:00+00:00"):
        assert brisbane["site"].today() == date(2026, 11, 21)
        screening = begin(brisbane, hmsc, date(2026, 11, 21))
        alt = ObservationInput(
            code="alt", value=Decimal("22"), unit="U/L", observed_on=date(2026, 11, 21)
        )
        save(brisbane["coordinator"], screening, ScreeningChanges(observations=[alt]))
    assert screening.observations.get(code="alt").observed_on == date(2026, 11, 21)


def test_at_eight_in_brisbane_a_date_of_birth_of_today_is_not_in_the_future(
    brisbane: dict[str, Any], hmsc: Any
) -> None:
    with at("2026-11-20T22:00:00+00:00"):
        candidate = register(
            brisbane["coordinator"], hmsc, brisbane["site"], born=date(2026, 11, 21)
        )
    assert candidate.year_of_birth == 2026


def test_at_half_past_eleven_at_night_in_los_angeles_utcs_date_is_tomorrow(
    los_angeles: dict[str, Any], hmsc: Any
) -> None:
    # 23:30 PST on 20 Nov is 07:30 UTC on 21 Nov.
    with at("2026-11-21T07:30:00+00:00"):
        assert los_angeles["site"].today() == date(2026, 11, 20)
        candidate = register(los_angeles["coordinator"], hmsc, los_angeles["site"])
        errors = refused_fields(
            lambda: screening_start(
                user=los_angeles["coordinator"],
                candidate=candidate,
                screening_date=date(2026, 11, 21),
                consent_date=date(2026, 11, 20),
            )
        )
        assert errors == {"screening_date": ["Screening date 2026-11-21 is in the future."]}
        born_tomorrow = IdentityData(full_name="Noah Later", date_of_birth=date(2026, 11, 21))
        errors = refused_fields(
            lambda: candidate_register(
                user=los_angeles["coordinator"],
                trial=hmsc,
                site=los_angeles["site"],
                identity=born_tomorrow,
                sex="M",
            )
        )
        assert (
            "Date of birth: 2026-11-21 is in the future (today is 2026-11-20)."
            in (errors["date_of_birth"][0])
        )
        screening = begin(los_angeles, hmsc, date(2026, 11, 20))
        tomorrow = ObservationInput(
            code="alt", value=Decimal("22"), unit="U/L", observed_on=date(2026, 11, 21)
        )
        errors = refused_fields(
            lambda: save(
                los_angeles["coordinator"], screening, ScreeningChanges(observations=[tomorrow])
            )
        )
    assert errors["alt.observed_on"] == [
        "ALT result date: 2026-11-21 is in the future (today is 2026-11-20)."
    ]


def test_the_same_moment_is_today_in_brisbane_and_the_future_in_berlin(
    brisbane: dict[str, Any], berlin: dict[str, Any], hmsc: Any
) -> None:
    # 22:30 UTC on 1 Dec is 08:30 on 2 Dec in Brisbane but 23:30 on 1 Dec in Berlin (CET);
    # an hour later Berlin has reached the 2nd too.
    with at("2026-12-01T22:30:00+00:00"):
        begin(brisbane, hmsc, date(2026, 12, 2))
        candidate = register(berlin["coordinator"], hmsc, berlin["site"])
        errors = refused_fields(
            lambda: start(
                berlin["coordinator"],
                candidate,
                screening_date=date(2026, 12, 2),
                consent_date=date(2026, 12, 1),
            )
        )
        assert list(errors) == ["screening_date"]
    with at("2026-12-01T23:30:00+00:00"):
        assert begin(berlin, hmsc, date(2026, 12, 2)).screening_date == date(2026, 12, 2)


@pytest.mark.parametrize(
    ("moment", "site_today"),
    [
        # Berlin springs forward at 01:00 UTC on 28 Mar 2027; 00:30 CET is still the 28th.
        ("2027-03-27T23:30:00+00:00", date(2027, 3, 28)),
        # The night after, in summer time: 00:30 CEST on the 29th is 22:30 UTC on the 28th.
        ("2027-03-28T22:30:00+00:00", date(2027, 3, 29)),
        # Berlin falls back at 01:00 UTC on 31 Oct 2027: 00:30 CEST is 22:30 UTC the day before.
        ("2027-10-30T22:30:00+00:00", date(2027, 10, 31)),
        # The night after, in winter time: 00:30 CET is 23:30 UTC.
        ("2027-10-31T23:30:00+00:00", date(2027, 11, 1)),
    ],
)
def test_just_after_midnight_in_berlin_around_the_dst_changes_the_site_date_is_today(
    berlin: dict[str, Any], hmsc: Any, moment: str, site_today: date
) -> None:
    with at(moment):
        assert berlin["site"].today() == site_today
        screening = begin(berlin, hmsc, site_today)
    assert screening.screening_date == site_today


@pytest.mark.parametrize(
    ("moment", "site_today"),
    [
        # Los Angeles springs forward at 10:00 UTC on 14 Mar 2027 (02:00 PST → 03:00 PDT).
        ("2027-03-14T07:30:00+00:00", date(2027, 3, 13)),  # 23:30 PST
        ("2027-03-15T06:30:00+00:00", date(2027, 3, 14)),  # 23:30 PDT
        # …and falls back at 09:00 UTC on 7 Nov 2027 (02:00 PDT → 01:00 PST).
        ("2027-11-07T06:30:00+00:00", date(2027, 11, 6)),  # 23:30 PDT
        ("2027-11-08T07:30:00+00:00", date(2027, 11, 7)),  # 23:30 PST
    ],
)
def test_late_at_night_in_los_angeles_around_the_dst_changes_utcs_date_is_refused(
    los_angeles: dict[str, Any], hmsc: Any, moment: str, site_today: date
) -> None:
    tomorrow = date.fromordinal(site_today.toordinal() + 1)
    with at(moment):
        assert los_angeles["site"].today() == site_today
        candidate = register(los_angeles["coordinator"], hmsc, los_angeles["site"])
        errors = refused_fields(
            lambda: start(
                los_angeles["coordinator"],
                candidate,
                screening_date=tomorrow,
                consent_date=site_today,
            )
        )
        assert list(errors) == ["screening_date"]
        assert (
            start(
                los_angeles["coordinator"],
                candidate,
                screening_date=site_today,
                consent_date=site_today,
            ).screening_date
            == site_today
        )


def test_forms_offer_the_sites_today(brisbane: dict[str, Any], hmsc: Any) -> None:
    client = Client()
    client.force_login(brisbane["coordinator"])
    with at("2026-11-20T22:00:00+00:00"):
        candidate = register(brisbane["coordinator"], hmsc, brisbane["site"])
        page = client.get(reverse("screening:candidate", kwargs={"pk": candidate.pk}))
    assert 'name="screening_date" value="2026-11-21"' in page.content.decode()


def test_a_washout_ending_today_in_brisbane_is_reminded_while_utc_is_still_yesterday(
    brisbane: dict[str, Any], berlin: dict[str, Any], hmsc: Any
) -> None:
    changes, replace = washout_ending_soon()
    for staff in (brisbane, berlin):
        screening = begin(staff, hmsc, date(2026, 11, 20))
        save(staff["coordinator"], screening, replace(changes, judgments={}))
        save(staff["investigator"], screening, ScreeningChanges(judgments=changes.judgments))
    # The washout ends on 26 Nov. 00:30 AEST on the 26th is 14:30 UTC on the 25th, when
    # it is 15:30 on the 25th in Berlin: only Brisbane's ends "today".
    with at("2026-11-25T14:30:00+00:00"):
        assert washout_reminders_send(within_days=0) == 1
    [reminder] = AuditEvent.objects.filter(action="screening.washout.reminder")
    assert reminder.site == brisbane["site"]
    with at("2026-11-25T23:30:00+00:00"):
        assert washout_reminders_send(within_days=0) == 1
    assert AuditEvent.objects.filter(action="screening.washout.reminder").count() == 2


# --- Moments on the site's clock ---------------------------------------------------


def signed_summary(staff: dict[str, Any], hmsc: Any, moment: str) -> str:
    """Sign a withdrawal at ``moment`` and return the summary page as the coordinator sees it."""
    screening = begin(staff, hmsc, date(2026, 11, 20))
    with at(moment):
        sign_withdrawal(staff["coordinator"], staff["investigator"], screening)
    client = Client()
    client.force_login(staff["coordinator"])
    url = reverse("screening:summary", kwargs={"pk": screening.pk})
    return client.get(url).content.decode()


def test_a_signature_in_berlin_shows_the_local_time_and_the_utc_time(
    berlin: dict[str, Any], hmsc: Any
) -> None:
    # The reported case: signed at 21:37:58 UTC, 22:37:58 in Berlin.
    page = signed_summary(berlin, hmsc, "2026-12-01T21:37:58+00:00")
    assert "1 Dec 2026 22:37:58 CET (21:37:58 UTC)" in page
    assert 'datetime="2026-12-01T21:37:58+00:00"' in page
    assert "21:37:58 CET" not in page
    # Proposed at the same moment (the clock was stopped), on the site's clock too.
    assert "Proposed by Alice Coordinator on" in page
    assert page.count("1 Dec 2026 22:37:58 CET") == 2


def test_a_signature_in_berlin_in_summer_is_in_cest(berlin: dict[str, Any], hmsc: Any) -> None:
    page = signed_summary(berlin, hmsc, "2027-07-01T21:37:58+00:00")
    assert "1 Jul 2027 23:37:58 CEST (21:37:58 UTC)" in page


def test_a_signature_in_brisbane_is_on_the_next_day_of_utc(
    brisbane: dict[str, Any], hmsc: Any
) -> None:
    page = signed_summary(brisbane, hmsc, "2026-12-01T21:37:58+00:00")
    assert "2 Dec 2026 07:37:58 AEST (1 Dec 2026 21:37:58 UTC)" in page
    assert "Australia/Brisbane" in page  # the zone's full name beside the abbreviation


def test_a_signature_in_los_angeles_on_its_dst_day(los_angeles: dict[str, Any], hmsc: Any) -> None:
    # 7 Nov 2027, 01:30 happens twice in Los Angeles; this is the second, in PST.
    page = signed_summary(los_angeles, hmsc, "2027-11-07T09:30:00+00:00")
    assert "7 Nov 2027 01:30:00 PST (09:30:00 UTC)" in page


def test_the_screening_log_gives_the_day_of_signing_at_the_site(
    brisbane: dict[str, Any], hmsc: Any
) -> None:
    signed_summary(brisbane, hmsc, "2026-12-01T21:37:58+00:00")
    client = Client()
    with at("2026-12-02T00:00:00+00:00"):
        client.force_login(brisbane["coordinator"])
        log = client.get(reverse("screening:log")).content.decode()
    assert "Ivan BNE, 2 Dec 2026" in log
