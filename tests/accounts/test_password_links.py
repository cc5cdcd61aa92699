"""Nobody but the user knows a signing password (21 CFR 11.300): a data manager sends a
one-time link, the person sets their own password through it, and Eligo's password
rules apply wherever a password is set."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import PasswordLink, User
from accounts.tasks import purge_login_throttles
from audit.canonical import canonical_json, canonical_value
from audit.models import AuditEvent
from audit.story import told
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)
CHOSEN = "my-own-quiet-lantern-42"


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dm(client: Client, data_manager: Any) -> Client:
    client.force_login(data_manager)
    return client


def send_link(dm: Client, user: User) -> Any:
    return dm.post(f"/admin/accounts/user/{user.pk}/password/", follow=True)


def link_in(message: Any) -> str:
    found = re.search(r"http://testserver(/password/set/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def set_password(link: str, password: str, confirm: str | None = None) -> tuple[Client, Any]:
    """Open the link as its owner would, then post the new password."""
    person = Client()
    opened = person.get(link)
    assert opened.status_code == 302  # the token moves out of the URL into the session
    response = person.post(
        opened["Location"], {"new_password1": password, "new_password2": confirm or password}
    )
    return person, response


def everything_stored() -> str:
    return canonical_json(canonical_value(list(AuditEvent.objects.values())))


# --- A data manager sends a link, and never sets a password ----------------------------------


def test_a_data_manager_cannot_set_a_password_but_sends_a_link(
    dm: Client, investigator_a: Any
) -> None:
    response = dm.post(
        f"/admin/accounts/user/{investigator_a.pk}/password/",
        {"usable_password": "true", "password1": CHOSEN, "password2": CHOSEN},
        follow=True,
    )
    assert response.status_code == 200
    investigator_a.refresh_from_db()
    assert investigator_a.check_password(PASSWORD)  # unchanged
    [message] = mail.outbox
    assert message.to == ["inv.a@example.org"]
    # The link reaches the person only: it is not on the data manager's screen.
    link = link_in(message)
    assert link not in response.content.decode()
    assert "was sent to inv.a@example.org" in response.content.decode()


def test_the_page_says_what_will_happen(dm: Client, investigator_a: Any) -> None:
    html = dm.get(f"/admin/accounts/user/{investigator_a.pk}/password/").content.decode()
    assert "Nobody but the person knows their password" in html
    assert 'name="password1"' not in html


def test_the_person_sets_their_own_password_once(dm: Client, investigator_a: Any) -> None:
    send_link(dm, investigator_a)
    link = link_in(mail.outbox[0])
    _, response = set_password(link, CHOSEN)
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert Client().login(username="inv.a", password=CHOSEN)
    # Used: the same link no longer works.
    again = Client().get(link)
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    assert PasswordLink.objects.get().ending == "used"


def test_sending_and_using_the_link_are_audited_in_the_persons_story(
    dm: Client, data_manager: Any, investigator_a: Any
) -> None:
    send_link(dm, investigator_a)
    set_password(link_in(mail.outbox[0]), CHOSEN)
    issued = AuditEvent.objects.get(action="accounts.password.link_issued")
    used = AuditEvent.objects.get(action="accounts.password.link_used")
    assert (issued.actor, issued.object_id) == (data_manager, str(investigator_a.pk))
    assert (used.actor, used.object_id) == (investigator_a, str(investigator_a.pk))
    assert told(issued) == (
        "Dora Datamanager (data manager) sent Ian Investigator a one-time link to set their "
        "own password, to “inv.a@example.org”, valid until 13 Nov 2026 12:00 UTC"
    )
    assert told(used).endswith(
        "set their own password through the one-time link sent 12 Nov 2026 12:00 UTC"
    )
    stored = everything_stored()
    assert CHOSEN not in stored
    assert link_in(mail.outbox[0]).split("/")[-2] not in stored  # the token is never kept
    history = dm.get(f"/audit/accounts.user/{investigator_a.pk}/").content.decode()
    assert "sent Ian Investigator a one-time link" in history


def test_an_expired_link_does_not_work_and_its_expiry_is_audited(
    dm: Client, investigator_a: Any, clock: Any, settings: Any
) -> None:
    send_link(dm, investigator_a)
    link = link_in(mail.outbox[0])
    clock.move_to(NOON + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))
    page = Client().get(link)
    assert "This link no longer works" in page.content.decode()
    assert Client().get(link).status_code == 200  # opened again: recorded once
    expired = AuditEvent.objects.get(action="accounts.password.link_expired")
    assert expired.actor is None
    assert told(expired) == (
        "The one-time password link sent to Ian Investigator 12 Nov 2026 12:00 UTC expired "
        "unused at 13 Nov 2026 12:00 UTC"
    )


def test_the_daily_task_records_links_that_expired_unopened(
    dm: Client, investigator_a: Any, clock: Any
) -> None:
    send_link(dm, investigator_a)
    clock.move_to(NOON + dt.timedelta(days=2))
    purge_login_throttles()
    assert PasswordLink.objects.get().ending == "expired"
    assert AuditEvent.objects.filter(action="accounts.password.link_expired").count() == 1


def test_a_newer_link_ends_the_earlier_one(dm: Client, investigator_a: Any) -> None:
    send_link(dm, investigator_a)
    send_link(dm, investigator_a)
    first, second = (link_in(message) for message in mail.outbox)
    assert "This link no longer works" in Client().get(first).content.decode()
    _, response = set_password(second, CHOSEN)
    assert response.status_code == 302
    endings = PasswordLink.objects.order_by("issued_at", "pk").values_list("ending", flat=True)
    assert list(endings) == ["superseded", "used"]


def test_a_link_goes_only_to_the_persons_own_address(
    dm: Client, data_manager: Any, investigator_a: Any
) -> None:
    User.objects.filter(pk=investigator_a.pk).update(email=data_manager.email)
    investigator_a.refresh_from_db()
    response = send_link(dm, investigator_a)
    assert "Another account uses dm@example.org" in response.content.decode()
    assert not mail.outbox
    assert not PasswordLink.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.password.link_issued").exists()


def test_no_link_without_an_address(dm: Client) -> None:
    person = User.objects.create_user(username="no.mail", full_name="No Mail")
    response = send_link(dm, person)
    assert "No Mail has no e-mail address" in response.content.decode()
    assert not mail.outbox


def test_a_data_manager_sends_itself_no_link(dm: Client, data_manager: Any) -> None:
    assert dm.post(f"/admin/accounts/user/{data_manager.pk}/password/").status_code == 403
    assert not mail.outbox


def test_a_new_account_has_no_password_and_its_owner_gets_a_link(dm: Client) -> None:
    response = dm.post(
        "/admin/accounts/user/add/",
        {
            "username": "new.person",
            "full_name": "New Person",
            "email": "new.person@example.org",
            "password1": CHOSEN,
            "password2": CHOSEN,
        },
    )
    assert response.status_code == 302
    person = User.objects.get(username="new.person")
    assert not person.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    _, done = set_password(link_in(message), CHOSEN)
    assert done.status_code == 302
    assert Client().login(username="new.person", password=CHOSEN)


def test_the_add_form_asks_for_no_password(dm: Client) -> None:
    html = dm.get("/admin/accounts/user/add/").content.decode()
    assert 'name="password1"' not in html
    assert 'name="email"' in html


# --- Eligo's password rules apply on every path that sets one ---------------------------------


@pytest.fixture
def nobody(db: Any) -> User:
    return User.objects.create_user(
        username="nobody", password=PASSWORD, full_name="No Body", email="nobody@example.org"
    )


def test_nobodynobody12_is_not_a_password_for_nobody(nobody: User) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password("nobodynobody12", nobody)
    assert "mostly your username" in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "password",
    ["nobodynobody12", "NoBody-nobody@example.org", "nobody.example.org!!", "short-1"],
)
def test_weak_passwords_are_refused_through_the_link(
    dm: Client, nobody: User, password: str
) -> None:
    send_link(dm, nobody)
    _, response = set_password(link_in(mail.outbox[0]), password)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    nobody.refresh_from_db()
    assert nobody.check_password(PASSWORD)


def test_weak_passwords_are_refused_on_the_password_page(nobody: User) -> None:
    client = Client()
    client.force_login(nobody)
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "nobodynobody12",
            "new_password2": "nobodynobody12",
        },
    )
    assert "mostly your username" in response.content.decode()
    nobody.refresh_from_db()
    assert nobody.check_password(PASSWORD)


def test_a_good_passphrase_with_a_name_in_it_is_accepted(nobody: User) -> None:
    validate_password("nobody-walks-the-quiet-lantern", nobody)
