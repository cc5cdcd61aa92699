"""Fixtures shared by the whole suite: the personas, the seed protocols, one world
to test access against, and the real services.

The personas follow the access matrix every feature is tested against: a
coordinator and an investigator at site A, a coordinator at site B (the
outsider for site A's data), a sponsor monitor and a data manager.

Only fixtures live here; helpers a test imports live in ``tests/helpers.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.helpers import (
    PASSWORD,
    SEED_PROTOCOLS,
    import_protocols,
    register,
    require_or_skip,
    start,
)


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hasher: the suite creates many users; hashing strength is not under test."""
    if not config.pluginmanager.hasplugin("django"):
        return  # the engine's tests run without Django (pytest -p no:django)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _queue_of_this_process()


def _queue_of_this_process() -> None:
    """Each pytest-xdist process publishes to, and its Celery worker threads consume
    from, a queue of its own: a worker consuming the queue never picks up a task another
    test process published, whichever tests the processes run at the same time."""
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from config.celery import app

    app.conf.task_default_queue = f"eligo-tests-{worker}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the tests that commit and talk to the real broker (browser
    paths, Celery workers) are meant to run one after another on one worker (with the
    pytest and xdist of the lock files the group does not reach the test ids, so the
    queue per process above is what keeps them apart)."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("broker"):
            item.add_marker(pytest.mark.xdist_group("shared_services"))


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Each test keeps its audit checkpoints in a folder of its own.

    Checkpoints are files outside the database: one written by another test, or
    by the developer's own site, would not match this test's database and would
    read as a truncated chain. The folder is only created if a checkpoint is written.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.test import override_settings

    folder = tmp_path_factory.getbasetemp() / "audit-checkpoints" / uuid.uuid4().hex
    with override_settings(AUDIT_CHECKPOINT_DIR=folder):
        yield


@pytest.fixture(autouse=True)
def _export_files_apart(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Each test keeps the files of its exports in a folder of its own, never in the
    project's ``var/exports``."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.test import override_settings

    folder = tmp_path_factory.getbasetemp() / "exports" / uuid.uuid4().hex
    with override_settings(EXPORT_DIR=folder):
        yield


@pytest.fixture
def site_a(db: Any) -> Any:
    from trials.models import Site

    return Site.objects.create(code="A01", name="Site A", country="DE", time_zone="Europe/Berlin")


@pytest.fixture
def site_b(db: Any) -> Any:
    from trials.models import Site

    return Site.objects.create(code="B01", name="Site B", country="GB", time_zone="Europe/London")


def _make_user(username: str, full_name: str, **flags: Any) -> Any:
    from accounts.models import User

    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=full_name,
        email=f"{username}@example.org",
        **flags,
    )


def _member(user: Any, site: Any, role: str) -> Any:
    from accounts.models import SiteMembership

    SiteMembership.objects.create(user=user, site=site, role=role)
    return user


@pytest.fixture
def coordinator_a(site_a: Any) -> Any:
    return _member(_make_user("coord.a", "Alice Coordinator"), site_a, "coordinator")


@pytest.fixture
def investigator_a(site_a: Any) -> Any:
    return _member(_make_user("inv.a", "Ian Investigator"), site_a, "investigator")


@pytest.fixture
def coordinator_b(site_b: Any) -> Any:
    return _member(_make_user("coord.b", "Bob Outsider"), site_b, "coordinator")


@pytest.fixture
def monitor(db: Any) -> Any:
    return _make_user("monitor", "Monica Monitor", is_monitor=True)


@pytest.fixture
def data_manager(db: Any) -> Any:
    return _make_user("dm", "Dora Datamanager", is_data_manager=True, is_staff=True)


@pytest.fixture
def personas(
    coordinator_a: Any, investigator_a: Any, coordinator_b: Any, monitor: Any, data_manager: Any
) -> dict[str, Any]:
    return {
        "coordinator_a": coordinator_a,
        "investigator_a": investigator_a,
        "coordinator_b": coordinator_b,
        "monitor": monitor,
        "data_manager": data_manager,
    }


# --- The seed protocols and a screening -----------------------------------------


@pytest.fixture
def frozen_today() -> Iterator[None]:
    """The day after the example candidates were screened (see ``tests.helpers.TODAY``)."""
    import time_machine

    with time_machine.travel("2026-11-21 09:30:00+00:00", tick=True):
        yield


@pytest.fixture
def fresh_definitions() -> Iterator[None]:
    """No protocol definition parsed by an earlier test lingers in the process cache."""
    from screening.engine_bridge import definitions

    definitions.clear()
    yield
    definitions.clear()


@pytest.fixture
def protocols(site_a: Any, site_b: Any, fresh_definitions: None) -> dict[str, Any]:
    """Both seed protocols imported and active, linked to both sites; demo ranges.

    Only the seeds: the registry trials in protocols/ are imported by the tests that
    use them (``import_protocols``), so the many tests built on the seeds stay quick."""
    return import_protocols(site_a, site_b, SEED_PROTOCOLS)


@pytest.fixture
def hmsc(protocols: dict[str, Any]) -> Any:
    return protocols["HMSC100"].trial


@pytest.fixture
def nct(protocols: dict[str, Any]) -> Any:
    return protocols["NCT06495437"].trial


@pytest.fixture
def hmsc_screening(coordinator_a: Any, hmsc: Any, site_a: Any) -> Any:
    return start(coordinator_a, register(coordinator_a, hmsc, site_a))


@pytest.fixture
def nct_screening(coordinator_a: Any, nct: Any, site_a: Any) -> Any:
    candidate = register(coordinator_a, nct, site_a, sex="M", born=date(1975, 6, 15))
    return start(coordinator_a, candidate)


@pytest.fixture
def world(
    frozen_today: None, personas: dict[str, Any], site_a: Any, hmsc_screening: Any
) -> dict[str, Any]:
    """The persona world access is tested against: site A screens a candidate for a
    trial the monitor is assigned to; site B's coordinator is the outsider."""
    from trials.models import MonitorAssignment

    MonitorAssignment.objects.create(
        monitor=personas["monitor"], trial=hmsc_screening.candidate.trial
    )
    return {
        **personas,
        "site_a": site_a,
        "trial": hmsc_screening.candidate.trial,
        "screening": hmsc_screening,
        "candidate": hmsc_screening.candidate,
    }


# --- Celery worker on a real broker -----------------------------------------------


@pytest.fixture
def celery_worker(transactional_db: Any) -> Iterator[Any]:
    """A real worker thread consuming from the configured broker."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from config.celery import app

    require_or_skip(not settings.CELERY_TASK_ALWAYS_EAGER, "A Celery broker (CELERY_BROKER_URL)")
    # Tasks queued by earlier tests (on commit, with nobody consuming) are not this test's.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


# A small trial that reads vital signs, ECOG and a result with a detection limit.
VITALS_PROTOCOL = """format: eligo-protocol/1
trial: {code: VITALS1, title: Vital signs test trial}
protocol_version: "1"
criteria:
  - {id: I1, kind: inclusion, text: Weight at least 40 kg., rule: weight >= 40 kg}
  - {id: I2, kind: inclusion, text: ECOG 0-1., rule: ecog_performance_status <= 1}
  - id: E1
    kind: exclusion
    text: Uncontrolled hypertension, tachycardia, fever or hypoxia.
    rule: >-
      systolic_bp >= 160 mmHg or diastolic_bp >= 100 mmHg or heart_rate > 120 bpm
      or respiratory_rate > 30 breaths/min or temperature >= 38 °C or spo2 < 90 %
  - {id: E2, kind: exclusion, text: HBV DNA at least 20 IU/mL., rule: hbv_dna >= 20 IU/mL}
"""


@pytest.fixture
def vitals_trial(protocols: dict[str, Any], site_a: Any, site_b: Any) -> Any:
    """The vital-signs test trial, active at both sites (beside the seed protocols)."""
    from trials.models import TrialSite
    from trials.services.protocols import protocol_import

    version = protocol_import(
        text=VITALS_PROTOCOL, source_name="vitals.yaml", user=None, activate=True
    ).version
    for site in (site_a, site_b):
        TrialSite.objects.get_or_create(trial=version.trial, site=site)
    return version.trial


@pytest.fixture
def vitals_screening(coordinator_a: Any, vitals_trial: Any, site_a: Any) -> Any:
    return start(coordinator_a, register(coordinator_a, vitals_trial, site_a))
