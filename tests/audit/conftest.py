"""Helpers for the audit tests: audited changes to a site, and tampering tools."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent, ReasonCode
from audit.registry import AuditAction, Kind, register
from audit.services import audit_record, diff_fields

# The audit tests' own vocabulary: actions no part of Eligo records, so that the
# trail's mechanics are tested apart from any feature's wording.
register(
    AuditAction("tests.values.recorded", "{who} recorded {values}", Kind.SYSTEM),
    AuditAction("tests.site.reviewed", "{who} reviewed {object}", Kind.SYSTEM),
    AuditAction("tests.user.reviewed", "{who} reviewed {object}", Kind.SYSTEM),
)

TRIGGERS = importlib.import_module("audit.migrations.0002_append_only_triggers")


def rename_site(site: Any, name: str, *, actor: Any = None, reason: str = "") -> AuditEvent:
    """Change a site's name through an audited write, as a service would."""
    with transaction.atomic():
        before = {"name": site.name}
        site.name = name
        site.save(update_fields=["name"])
        return audit_record(
            actor=actor,
            action="trials.site.changed",
            obj=site,
            site=site,
            changes=diff_fields(before, {"name": name}, {"name": "Name"}),
            reason=reason,
            reason_code=ReasonCode.NEW_SOURCE_INFORMATION,
        )


@pytest.fixture
def chain_of_five(site_a: Any, data_manager: Any) -> list[AuditEvent]:
    return [rename_site(site_a, f"Site A{n}", actor=data_manager) for n in range(1, 6)]


@contextmanager
def append_only_triggers_disabled() -> Iterator[None]:
    """Switch the database's append-only trigger off, as someone with DDL rights could."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # ALTER TABLE refuses while deferred foreign-key checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
            )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only"
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        with connection.cursor() as cursor:
            for sql in TRIGGERS.SQLITE_BACKWARD:
                cursor.execute(sql)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for sql in TRIGGERS.SQLITE_FORWARD:
                    cursor.execute(sql)


def run_sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
