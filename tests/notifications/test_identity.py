"""E-mail leaves the hospital: notifications name candidates by screening number only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from notifications.models import Delivery
from notifications.services import preference_set
from notifications.tasks import send_reminders
from screening.services import ScreeningChanges
from tests.helpers import save
from tests.notifications.helpers import run_waiting_email
from tests.screening.helpers import washout_ending_soon

pytestmark = pytest.mark.django_db

# The candidate as tests.helpers.register makes them.
IDENTITY = ("Erika", "Mustermann", "1956-04-02", "02.04.1956", "2 Apr 1956", "02/04/1956", "H-1")


def test_a_reminder_by_email_and_in_the_list_names_the_screening_number_only(
    frozen_today: None, coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    changes, replace = washout_ending_soon()
    save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    save(investigator_a, hmsc_screening, ScreeningChanges(judgments=changes.judgments))
    preference_set(user=coordinator_a, delivery=Delivery.IMMEDIATE)
    assert send_reminders()["washout"] == 1
    assert run_waiting_email() == 1
    [email] = mail.outbox
    number = hmsc_screening.candidate.screening_number
    assert number in email.subject
    assert number in email.body
    client = Client()
    client.force_login(coordinator_a)
    page = client.get("/notifications/").content.decode()
    assert number in page
    for text in (email.subject, email.body, page.split("<main", 1)[1]):
        for secret in IDENTITY:
            assert secret not in text, secret
