"""Every write leaves an audit event: checked on every request, task and command of the suite.

A pytest plugin (``-p tests.audit_guard`` in ``pyproject.toml``). While Eligo handles
a request, runs a Celery task or runs one of its own management commands, every row
saved or deleted is noted; when the unit of work ends, each note must be answered by
an audit event recorded during it — about that row, or filed under the story the row
belongs to (``audit_scope``). A test in which a write went unaudited fails, naming the
row and the URL, task or command. Rows written and then rolled back (a refused form)
are not writes.

Test set-up that writes through the ORM directly is not checked: it is no path a
user can take. Bookkeeping rows that are not records (sessions, the audit chain head,
login throttles, counters, Django's admin log) are exempt, and say why below.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

EXEMPT = {
    "sessions.session": "a login session, audited as the login",
    "admin.logentry": "Django's own admin log; the audit trail records the same change",
    "audit.auditevent": "the trail itself",
    "audit.auditchainhead": "the trail's bookkeeping",
    "accounts.loginthrottle": "failed logins are audited as such; this only counts them",
    "accounts.addressthrottle": "failed sign-ins are audited as such; this only counts them",
    "screening.screeningnumbercounter": "numbering; the candidate's creation is audited",
    "trials.cataloguerevision": "a cache stamp; the catalogue change is audited",
    "django_celery_beat.periodictasks": "the scheduler's change stamp",
    "outbox.outboxmessage": "work queued for a worker; the change that queued it is audited, "
    "and the task audits what it writes",
    "notifications.notification": "a message to one person about records whose changes are "
    "audited; reading it or e-mailing it changes no record",
    "vault.datakey": "a candidate's key, never a record: created with the registration, "
    "destroyed with the erasure and re-wrapped by rotate_master_key, each audited as such",
    "screening.retentiondue": "a to-do list the daily review computes from the retention "
    "policies; each review is audited (screening.retention.listed), and so is each erasure",
    "contenttypes.contenttype": "Django's model registry",
    "auth.permission": "Django's model registry",
}


@dataclass
class _Unit:
    """One request, task or command being watched."""

    what: str
    first_sequence: int
    task: bool = False
    writes: list[tuple[str, Any, str | None, str]] = field(default_factory=list)
    # Rows about to be saved as they stand in the database, to tell a save that
    # changes nothing (the admin saves a form nobody changed) from a change.
    before: dict[tuple[str, Any], dict[str, Any] | None] = field(default_factory=dict)


class _Guard(threading.local):
    unit: _Unit | None = None


_guard = _Guard()
_violations: list[str] = []
_lock = threading.Lock()


def _last_sequence() -> int:
    from audit.models import AuditEvent

    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    return last or 0


def _begin(what: str) -> None:
    try:
        _guard.unit = _Unit(what, _last_sequence())
    except Exception:  # no database in this test: nothing to watch
        _guard.unit = None


def _noted(sender: Any, instance: Any, verb: str) -> None:
    unit = _guard.unit
    if unit is None or instance.pk is None:
        return
    label = sender._meta.label_lower
    if label in EXEMPT:
        return
    from audit.scope import record_key, scope_of

    try:
        story = record_key(scope_of(instance).record)
    except Exception:  # a half-deleted row may no longer reach its parents
        story = None
    unit.writes.append((label, instance.pk, story, verb))


def _end() -> None:
    unit, _guard.unit = _guard.unit, None
    if unit is None or not unit.writes:
        return
    from django.apps import apps
    from django.db.models import Q

    from audit.models import AuditEvent

    events = AuditEvent.objects.filter(sequence__gt=unit.first_sequence)
    for label, pk, story, verb in unit.writes:
        model = apps.get_model(label)
        exists = model._default_manager.filter(pk=pk).exists()
        if exists != (verb == "saved"):
            continue  # rolled back: nothing was written
        own = f"{label}:{pk}"
        told = Q(object_type=label, object_id=str(pk)) | Q(record=own)
        if story is not None:
            told |= Q(record=story)
        if not events.filter(told).exists():
            with _lock:
                _violations.append(f"{unit.what}: {label} {pk} {verb} with no audit event")


def _row(sender: Any, pk: Any) -> dict[str, Any] | None:
    return sender._default_manager.filter(pk=pk).values().first()


def _on_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    unit = _guard.unit
    if unit is not None and instance.pk is not None and sender._meta.label_lower not in EXEMPT:
        unit.before[(sender._meta.label_lower, instance.pk)] = _row(sender, instance.pk)


def _on_save(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    unit = _guard.unit
    if unit is not None and not created:
        before = unit.before.pop((sender._meta.label_lower, instance.pk), None)
        if before is not None and before == _row(sender, instance.pk):
            return  # saved as it was: nothing to tell
    _noted(sender, instance, "saved")


def _on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    _noted(sender, instance, "deleted")


def _on_request_started(sender: Any, environ: Any = None, **kwargs: Any) -> None:
    path = (environ or {}).get("PATH_INFO", "?")
    method = (environ or {}).get("REQUEST_METHOD", "?")
    _begin(f"{method} {path}")


def _on_request_finished(sender: Any, **kwargs: Any) -> None:
    _end()


def _on_task_prerun(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
    if _guard.unit is None:  # an eager task inside a request is part of that request
        _begin(f"task {getattr(task, 'name', sender)}")
        if _guard.unit is not None:
            _guard.unit.task = True


def _on_task_postrun(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
    if _guard.unit is not None and _guard.unit.task:
        _end()


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.hasplugin("django"):
        return  # the engine's tests run without Django
    import django

    django.setup()
    from celery.signals import task_postrun, task_prerun
    from django.core.management.base import BaseCommand
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_on_pre_save, dispatch_uid="audit_guard_pre_save", weak=False)
    post_save.connect(_on_save, dispatch_uid="audit_guard_save", weak=False)
    post_delete.connect(_on_delete, dispatch_uid="audit_guard_delete", weak=False)
    request_started.connect(_on_request_started, dispatch_uid="audit_guard_start", weak=False)
    request_finished.connect(_on_request_finished, dispatch_uid="audit_guard_end", weak=False)
    task_prerun.connect(_on_task_prerun, weak=False)
    task_postrun.connect(_on_task_postrun, weak=False)

    execute = BaseCommand.execute

    def watched_execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        # Eligo's own commands only: Django's (migrate, flush…) build the database.
        mine = type(self).__module__.split(".")[0] in {"accounts", "audit", "screening", "trials"}
        if not mine or _guard.unit is not None:
            return execute(self, *args, **options)
        _begin(f"command {type(self).__module__.rsplit('.', 1)[-1]}")
        try:
            return execute(self, *args, **options)
        finally:
            _end()

    BaseCommand.execute = watched_execute  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _every_write_is_audited() -> Iterator[None]:
    _violations.clear()
    yield
    found, _violations[:] = list(_violations), []
    if found:
        pytest.fail("Writes without an audit event:\n  " + "\n  ".join(found), pytrace=False)
