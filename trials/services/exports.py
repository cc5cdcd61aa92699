"""Downloads of trial configuration, each recorded in the audit trail."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from audit.services import audit_record
from trials.models import ProtocolVersion
from trials.services.protocols import protocol_export


@transaction.atomic
def protocol_version_export(
    *,
    version: ProtocolVersion,
    user: User | None,
    channel: str,
    request: HttpRequest | None = None,
) -> str:
    """The definition as imported (``protocol_export``), its download audited.

    ``channel`` says where it went: "admin" for a browser download, "command line"."""
    audit_record(
        actor=user,
        action="trials.protocolversion.exported",
        obj=version,
        changes={"channel": {"old": None, "new": channel, "label": "Exported through"}},
        request=request,
    )
    return protocol_export(version)
