"""Data managers' protocol screens: upload, preview, compare, activate, export."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import PASSWORD
from tests.trials.helpers import DEFINITION
from trials.models import ProtocolStatus, ProtocolVersion
from trials.services.protocols import protocol_import


@pytest.fixture
def dm_client(client: Client, data_manager: Any) -> Client:
    client.force_login(data_manager)
    return client


def _upload(client: Client, text: str, name: str = "demo1.yaml", **fields: Any) -> Any:
    return client.post(
        "/admin/trials/protocolversion/import/",
        {"file": SimpleUploadedFile(name, text.encode()), **fields},
        follow=True,
    )


def test_uploading_a_valid_definition_creates_a_draft_and_shows_its_preview(
    dm_client: Client,
) -> None:
    response = _upload(dm_client, DEFINITION)
    version = ProtocolVersion.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/trials/protocolversion/{version.pk}/preview/"
    html = response.content.decode()
    assert "Created draft DEMO1 version 1.0 (new trial)." in html
    assert "ALT at least twice the upper limit of normal." in html  # verbatim text
    assert "alt &gt;= 2 x ULN" in html  # the rule
    assert "Excluded if" in html  # in plain words
    assert "Activate this version" in html


def test_an_upload_with_mistakes_lists_each_with_its_line_and_stores_nothing(
    dm_client: Client,
) -> None:
    broken = DEFINITION.replace("rule: alt >= 2 x ULN", "rule: alt >= 2 x UNL").replace(
        "kind: inclusion", "kind: inclusive"
    )
    response = _upload(dm_client, broken, name="broken.yaml")
    assert response.status_code == 200
    problems = response.content.decode()
    assert "The definition was not imported" in problems
    assert "broken.yaml:12:" in problems  # kind: inclusive
    assert "broken.yaml:18:" in problems  # the rule
    assert not ProtocolVersion.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_a_message(dm_client: Client) -> None:
    response = dm_client.post(
        "/admin/trials/protocolversion/import/",
        {"file": SimpleUploadedFile("latin1.yaml", "trial: Müller".encode("latin-1"))},
    )
    assert "The file is not UTF-8 text." in response.content.decode()


def test_activating_from_the_preview_supersedes_the_active_version(dm_client: Client) -> None:
    v1 = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None, activate=True).version
    v2 = protocol_import(
        text=DEFINITION.replace('"1.0"', '"2.0"'), source_name="v2.yaml", user=None
    ).version
    # A GET shows the confirmation page and activates nothing.
    assert dm_client.get(f"/admin/trials/protocolversion/{v2.pk}/activate/").status_code == 200
    v2.refresh_from_db()
    assert v2.status == ProtocolStatus.DRAFT
    response = dm_client.post(
        f"/admin/trials/protocolversion/{v2.pk}/activate/",
        {"reason": "Amendment approved.", "password": PASSWORD},
        follow=True,
    )
    assert "is now active" in response.content.decode()
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (ProtocolStatus.SUPERSEDED, ProtocolStatus.ACTIVE)
    assert v2.activated_by is not None


def test_comparing_two_versions_shows_what_changed_word_by_word(dm_client: Client) -> None:
    v1 = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None, activate=True).version
    amended = DEFINITION.replace('"1.0"', '"2.0"').replace("and 65 years", "and 70 years")
    amended = amended.replace("lab_validity_days: 30", "lab_validity_days: 14")
    v2 = protocol_import(text=amended, source_name="v2.yaml", user=None).version
    page = dm_client.get(f"/admin/trials/protocolversion/{v2.pk}/diff/?against={v1.pk}")
    html = " ".join(page.content.decode().split())
    assert "1 criterion changed between version 1.0 and version 2.0" in html
    assert "<del>65</del> <ins>70</ins>" in html
    assert "lab_validity_days" in html


def test_export_downloads_the_definition_as_imported(dm_client: Client) -> None:
    version = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None).version
    response = dm_client.get(f"/admin/trials/protocolversion/{version.pk}/export/")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"DEMO1-1.0.yaml\"; filename*=UTF-8''DEMO1-1.0.yaml"
    )
    assert response.content.decode() == DEFINITION


def test_an_imported_version_cannot_be_edited_in_the_admin(dm_client: Client) -> None:
    version = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None).version
    response = dm_client.post(f"/admin/trials/protocolversion/{version.pk}/change/", {"label": "9"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.label == "1.0"


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a", "monitor"])
def test_only_data_managers_reach_the_protocol_screens(
    client: Client, personas: dict[str, Any], persona: str
) -> None:
    version = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None).version
    client.force_login(personas[persona])
    for url in ("import/", f"{version.pk}/preview/", f"{version.pk}/export/"):
        response = client.get(f"/admin/trials/protocolversion/{url}")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
