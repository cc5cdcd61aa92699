"""Activating a protocol version: a confirmation page, a reason and the data manager's
password (an electronic signature meaning "approved for screening"), audited."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.test import Client

from accounts.models import LoginThrottle
from accounts.services import username_key
from audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.trials.helpers import DEFINITION
from trials.models import ProtocolStatus, ProtocolVersion
from trials.services.protocols import (
    APPROVAL_MEANING,
    ProtocolVersionError,
    protocol_import,
    protocol_version_activate,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HMSC = ROOT / "protocols" / "hmsc100.yaml"


@pytest.fixture
def dm_client(client: Client, data_manager: Any) -> Client:
    client.force_login(data_manager)
    return client


@pytest.fixture
def amendment(protocols: dict[str, Any]) -> ProtocolVersion:
    """A draft 2.0 of hMSC100 whose rule caps age at 80 while its text still says 85."""
    text = HMSC.read_text(encoding="utf-8")
    text = text.replace('protocol_version: "1.0-registry"', 'protocol_version: "2.0"')
    text = text.replace("age between 45 and 85 years", "age between 45 and 80 years")
    return protocol_import(text=text, source_name="hmsc100-2.0.yaml", user=None).version


def _url(version: ProtocolVersion) -> str:
    return f"/admin/trials/protocolversion/{version.pk}/activate/"


def _page(response: Any) -> str:
    return " ".join(response.content.decode().split())


def _actions(version: ProtocolVersion) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="trials.protocolversion", object_id=str(version.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


class TestTheConfirmationPage:
    def test_it_shows_the_diff_against_the_active_version(
        self, dm_client: Client, amendment: ProtocolVersion
    ) -> None:
        html = _page(dm_client.get(_url(amendment)))
        assert "Version 1.0-registry, active since" in html
        assert "becomes superseded" in html
        assert "1 criterion changed between version 1.0-registry and version 2.0" in html
        assert "<del>85</del> <ins>80</ins>" in html
        assert "Willingness to participate" not in html  # I1 is unchanged: not listed

    def test_it_counts_the_open_screenings_that_stay_pinned_by_site_without_identities(
        self, dm_client: Client, amendment: ProtocolVersion, hmsc_screening: Any, frozen_today: None
    ) -> None:
        html = _page(dm_client.get(_url(amendment)))
        assert "1 open screening stays pinned to version 1.0-registry" in html
        assert "<td>A01 — Site A</td><td>1</td>" in html
        candidate = hmsc_screening.candidate
        assert "Erika Mustermann" not in html  # the helper's candidate
        assert candidate.screening_number not in html

    def test_it_warns_where_text_and_rule_disagree_and_names_the_signature(
        self, dm_client: Client, amendment: ProtocolVersion
    ) -> None:
        html = _page(dm_client.get(_url(amendment)))
        assert "I2</a>: The text states 85; the rule does not." in html
        assert "I2</a>: The rule uses 80; the text does not state it." in html
        assert "They never prevent activation" in html or "never prevent activation" in html
        assert "You sign as <strong>Dora Datamanager</strong>" in html
        assert f"“<strong>{APPROVAL_MEANING}</strong>”" in html
        assert "recorded in UTC" in html

    def test_it_shows_the_effective_date(self, dm_client: Client, protocols: Any) -> None:
        text = HMSC.read_text(encoding="utf-8").replace("1.0-registry", "3.0")
        from datetime import date

        draft = protocol_import(
            text=text, source_name="v3.yaml", user=None, effective_date=date(2027, 1, 15)
        ).version
        assert "Effective date: <strong>15 Jan 2027</strong>" in _page(dm_client.get(_url(draft)))

    def test_the_first_version_of_a_trial_replaces_nothing(self, dm_client: Client) -> None:
        draft = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None).version
        html = _page(dm_client.get(_url(draft)))
        assert "DEMO1 has no active version: this will be its first" in html
        assert "criterion changed" not in html

    def test_a_get_never_activates(self, dm_client: Client, amendment: ProtocolVersion) -> None:
        assert dm_client.get(_url(amendment)).status_code == 200
        amendment.refresh_from_db()
        assert amendment.status == ProtocolStatus.DRAFT
        assert "trials.protocolversion.activated" not in _actions(amendment)

    def test_a_version_already_active_goes_back_to_its_preview(
        self, dm_client: Client, protocols: dict[str, Any]
    ) -> None:
        active = protocols["HMSC100"]
        response = dm_client.get(_url(active), follow=True)
        assert response.redirect_chain[-1][0].endswith(f"/{active.pk}/preview/")
        assert "is not a draft; only a draft can be activated" in _page(response)


class TestSigning:
    def test_without_a_reason_nothing_is_activated_and_the_reason_field_says_why(
        self, dm_client: Client, amendment: ProtocolVersion
    ) -> None:
        response = dm_client.post(_url(amendment), {"reason": "  ", "password": PASSWORD})
        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        assert "This field is required." in response.context["form"].errors["reason"]
        amendment.refresh_from_db()
        assert amendment.status == ProtocolStatus.DRAFT
        assert _actions(amendment) == ["trials.protocolversion.created"]

    def test_without_a_password_nothing_is_activated(
        self, dm_client: Client, amendment: ProtocolVersion
    ) -> None:
        response = dm_client.post(_url(amendment), {"reason": "Amendment 2 approved."})
        assert "password" in response.context["form"].errors
        amendment.refresh_from_db()
        assert amendment.status == ProtocolStatus.DRAFT

    def test_a_wrong_password_activates_nothing_is_audited_and_counts_as_a_failed_login(
        self,
        dm_client: Client,
        amendment: ProtocolVersion,
        data_manager: Any,
        protocols: dict[str, Any],
    ) -> None:
        response = dm_client.post(
            _url(amendment), {"reason": "Amendment 2 approved.", "password": "not-my-password"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["password"] == [
            "The password does not match; the version was not activated."
        ]
        assert "not-my-password" not in response.content.decode()
        amendment.refresh_from_db()
        assert amendment.status == ProtocolStatus.DRAFT
        assert protocols["HMSC100"].status == ProtocolStatus.ACTIVE
        refused = AuditEvent.objects.get(action="trials.protocolversion.signature_refused")
        assert (refused.actor, refused.object_id) == (data_manager, str(amendment.pk))
        assert refused.changes["password"]["new"] == "did not match"
        throttle = LoginThrottle.objects.get(username_key=username_key(data_manager.username))
        assert len(throttle.recent_failures) == 1
        assert "trials.protocolversion.activated" not in _actions(amendment)

    def test_once_sign_in_is_locked_even_the_right_password_is_refused(
        self, dm_client: Client, amendment: ProtocolVersion, settings: Any
    ) -> None:
        settings.LOGIN_FAILURE_LIMIT = 2
        for _ in range(2):
            dm_client.post(_url(amendment), {"reason": "Amendment.", "password": "wrong"})
        response = dm_client.post(_url(amendment), {"reason": "Amendment.", "password": PASSWORD})
        errors = response.context["form"].errors["password"]
        assert errors[0].startswith("Too many failed attempts; sign again after")
        amendment.refresh_from_db()
        assert amendment.status == ProtocolStatus.DRAFT
        refusals = AuditEvent.objects.filter(action="trials.protocolversion.signature_refused")
        assert [e.changes["password"]["new"] for e in refusals.order_by("sequence")] == [
            "did not match",
            "did not match",
            "was not checked: sign-in locked",
        ]

    def test_the_right_password_activates_supersedes_and_records_the_signature(
        self,
        dm_client: Client,
        amendment: ProtocolVersion,
        data_manager: Any,
        protocols: dict[str, Any],
    ) -> None:
        response = dm_client.post(
            _url(amendment),
            {"reason": "Amendment 2 approved by the ethics committee.", "password": PASSWORD},
            follow=True,
        )
        assert response.redirect_chain[-1][0].endswith(f"/{amendment.pk}/preview/")
        html = _page(response)
        assert "is now active" in html
        assert "Signed by Dora Datamanager on" in html
        assert "meaning “approved for screening”" in html
        assert "Reason: Amendment 2 approved by the ethics committee." in html
        amendment.refresh_from_db()
        previous = protocols["HMSC100"]
        previous.refresh_from_db()
        assert (previous.status, amendment.status) == (
            ProtocolStatus.SUPERSEDED,
            ProtocolStatus.ACTIVE,
        )
        assert amendment.activated_by == data_manager
        assert amendment.activation_printed_name == "Dora Datamanager"
        assert amendment.activation_meaning == "approved for screening"
        assert amendment.activation_reason == "Amendment 2 approved by the ethics committee."
        activated = AuditEvent.objects.get(
            action="trials.protocolversion.activated", actor=data_manager
        )
        assert activated.reason == "Amendment 2 approved by the ethics committee."
        assert activated.changes["meaning"]["new"] == "approved for screening"
        assert activated.changes["printed_name"]["new"] == "Dora Datamanager"
        assert activated.changes["status"] == {"old": "draft", "new": "active", "label": "Status"}
        superseded = AuditEvent.objects.get(action="trials.protocolversion.superseded")
        assert superseded.object_id == str(previous.pk)
        assert not AuditEvent.objects.filter(
            action="trials.protocolversion.signature_refused"
        ).exists()

    def test_screenings_already_started_stay_on_their_version(
        self,
        dm_client: Client,
        amendment: ProtocolVersion,
        hmsc_screening: Any,
        frozen_today: None,
    ) -> None:
        before = hmsc_screening.protocol_version_id
        dm_client.post(_url(amendment), {"reason": "Amendment 2.", "password": PASSWORD})
        hmsc_screening.refresh_from_db()
        assert hmsc_screening.protocol_version_id == before != amendment.pk


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a", "coordinator_b", "monitor"])
def test_only_data_managers_reach_the_confirmation_page(
    client: Client, personas: dict[str, Any], persona: str, amendment: ProtocolVersion
) -> None:
    client.force_login(personas[persona])
    assert client.get(_url(amendment)).status_code == 404
    response = client.post(_url(amendment), {"reason": "Mine now.", "password": PASSWORD})
    assert response.status_code == 404
    amendment.refresh_from_db()
    assert amendment.status == ProtocolStatus.DRAFT


def test_someone_not_signed_in_is_sent_to_sign_in(
    client: Client, amendment: ProtocolVersion
) -> None:
    response = client.get(_url(amendment))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_service_refuses_anyone_but_a_data_manager(
    coordinator_a: Any, amendment: ProtocolVersion
) -> None:
    with pytest.raises(PermissionDenied):
        protocol_version_activate(
            version=amendment, user=coordinator_a, password=PASSWORD, reason="Mine now."
        )
    amendment.refresh_from_db()
    assert amendment.status == ProtocolStatus.DRAFT


class TestThePreview:
    def test_activation_is_a_link_to_the_confirmation_page_not_a_one_click_form(
        self, dm_client: Client, amendment: ProtocolVersion
    ) -> None:
        html = _page(dm_client.get(f"/admin/trials/protocolversion/{amendment.pk}/preview/"))
        assert f'action="{_url(amendment)}"' not in html
        link = f'<a class="button" href="{_url(amendment)}" data-testid="activate-link">'
        assert link in html
        # After the criteria: read them first; the export is the first tool on the page.
        assert html.index("Export YAML") < html.index('class="criteria"') < html.index(link)

    def test_it_shows_the_draft_warnings_beside_the_criterion(
        self, dm_client: Client, amendment: ProtocolVersion
    ) -> None:
        html = _page(dm_client.get(f"/admin/trials/protocolversion/{amendment.pk}/preview/"))
        assert "3 things to check before activating" in html  # I2 twice, E1
        assert '<tr id="criterion-I2" class="has-warnings">' in html
        assert "⚠ The text states 85; the rule does not." in html


class TestTheCommandLine:
    def test_it_activates_unsigned_with_a_default_reason_naming_who_ran_it(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "demo1.yaml"
        path.write_text(DEFINITION)
        call_command("import_protocol", str(path), "--activate", stdout=StringIO())
        version = ProtocolVersion.objects.get()
        assert version.status == ProtocolStatus.ACTIVE
        assert version.activation_reason.startswith("Activated from the command line by ")
        assert (version.activated_by, version.activation_meaning) == (None, "")
        assert not version.is_signed
        event = AuditEvent.objects.get(action="trials.protocolversion.activated")
        assert event.actor is None
        assert event.reason == version.activation_reason
        assert set(event.changes) == {"status"}

    def test_it_takes_a_reason(self, tmp_path: Path) -> None:
        path = tmp_path / "demo1.yaml"
        path.write_text(DEFINITION)
        call_command(
            "import_protocol",
            str(path),
            "--activate",
            "--reason",
            "Go-live 1 Dec.",
            stdout=StringIO(),
        )
        assert ProtocolVersion.objects.get().activation_reason == "Go-live 1 Dec."

    def test_a_reason_without_activating_is_a_mistake(self, tmp_path: Path, db: Any) -> None:
        path = tmp_path / "demo1.yaml"
        path.write_text(DEFINITION)
        with pytest.raises(CommandError, match="--reason goes with --activate"):
            call_command("import_protocol", str(path), "--reason", "Why?", stdout=StringIO())
        assert not ProtocolVersion.objects.exists()


def test_a_person_cannot_activate_by_importing(data_manager: Any) -> None:
    with pytest.raises(ProtocolVersionError, match="activates a version by signing it"):
        protocol_import(text=DEFINITION, source_name="v1.yaml", user=data_manager, activate=True)
    assert not ProtocolVersion.objects.exists()


def test_the_signature_of_an_active_version_cannot_be_changed(
    data_manager: Any, amendment: ProtocolVersion
) -> None:
    protocol_version_activate(
        version=amendment, user=data_manager, password=PASSWORD, reason="Amendment 2."
    )
    rows = ProtocolVersion.objects.filter(pk=amendment.pk)
    for field, value in [
        ("activation_reason", "Something else."),
        ("activation_meaning", "reviewed"),
        ("activation_printed_name", "Someone Else"),
        ("activated_by", None),
    ]:
        with pytest.raises(DatabaseError, match="read-only"), transaction.atomic():
            rows.update(**{field: value})
    amendment.refresh_from_db()
    assert amendment.activation_reason == "Amendment 2."
