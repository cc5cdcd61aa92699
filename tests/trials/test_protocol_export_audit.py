"""Exporting a protocol definition, in the browser or on the command line, is audited."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from audit.models import AuditEvent
from tests.trials.helpers import DEFINITION
from trials.services.protocols import protocol_import

pytestmark = pytest.mark.django_db


def test_a_download_in_the_admin_is_audited(client: Client, data_manager: Any) -> None:
    version = protocol_import(text=DEFINITION, source_name="v1.yaml", user=None).version
    client.force_login(data_manager)
    response = client.get(f"/admin/trials/protocolversion/{version.pk}/export/")
    assert response.status_code == 200
    assert response.content.decode() == DEFINITION
    event = AuditEvent.objects.get(action="trials.protocolversion.exported")
    assert (event.actor, event.object_id) == (data_manager, str(version.pk))
    assert event.changes["channel"]["new"] == "admin"


def test_an_export_on_the_command_line_is_audited(db: Any) -> None:
    version = protocol_import(
        text=DEFINITION, source_name="v1.yaml", user=None, activate=True
    ).version
    out = StringIO()
    call_command("export_protocol", version.trial.code, stdout=out)
    assert out.getvalue().strip() == DEFINITION.strip()
    event = AuditEvent.objects.get(action="trials.protocolversion.exported")
    assert event.actor is None
    assert event.changes["channel"]["new"] == "command line"
