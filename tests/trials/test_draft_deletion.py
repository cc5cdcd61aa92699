"""A draft protocol version may be deleted in the admin; the deletion is audited,
and versions screenings may be pinned to cannot be deleted at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from audit.models import AuditEvent
from tests.trials.helpers import DEFINITION
from trials.models import ProtocolVersion
from trials.services.protocols import (
    ProtocolVersionError,
    protocol_import,
    protocol_version_delete_draft,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db: Any) -> ProtocolVersion:
    return protocol_import(text=DEFINITION, source_name="draft.yaml", user=None).version


def test_deleting_a_draft_in_the_admin_is_audited(
    client: Client, data_manager: Any, draft: ProtocolVersion
) -> None:
    client.force_login(data_manager)
    url = f"/admin/trials/protocolversion/{draft.pk}/delete/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not ProtocolVersion.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="trials.protocolversion.deleted")
    assert event.actor == data_manager
    assert event.object_id == str(draft.pk)
    assert event.changes["label"]["old"] == draft.label
    assert event.changes["source_name"]["old"] == "draft.yaml"
    assert event.reason == "Draft deleted in configuration"


def test_an_active_version_cannot_be_deleted(
    client: Client, data_manager: Any, draft: ProtocolVersion
) -> None:
    active = protocol_import(
        text=DEFINITION, source_name="v1.yaml", user=None, activate=True
    ).version
    client.force_login(data_manager)
    response = client.post(f"/admin/trials/protocolversion/{active.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    with pytest.raises(ProtocolVersionError, match="only a draft can be deleted"):
        protocol_version_delete_draft(user=data_manager, version=active)
    assert ProtocolVersion.objects.filter(pk=active.pk).exists()


def test_only_a_data_manager_deletes_a_draft(coordinator_a: Any, draft: ProtocolVersion) -> None:
    with pytest.raises(PermissionDenied):
        protocol_version_delete_draft(user=coordinator_a, version=draft)
    assert ProtocolVersion.objects.filter(pk=draft.pk).exists()
    assert not AuditEvent.objects.filter(action="trials.protocolversion.deleted").exists()
