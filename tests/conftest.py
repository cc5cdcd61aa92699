"""Fixtures shared by the whole suite: the personas and the real services.

The personas follow the access matrix every feature is tested against: a
coordinator and an investigator at site A, a coordinator at site B (the
outsider for site A's data), a sponsor monitor and a data manager.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Sync Playwright runs an event loop in the test thread next to live_server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hasher: the suite creates many users; hashing strength is not under test."""
    if not config.pluginmanager.hasplugin("django"):
        return  # the engine's tests run without Django (pytest -p no:django)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require_or_skip(available: bool, what: str) -> None:
    """Skip a test whose service is missing locally; in CI the service is required."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required when CI=true but is not available.")
    pytest.skip(f"{what} is not available on this machine.")


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


# --- Browser --------------------------------------------------------------------


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, handling one request at a time over its threaded connections.

    With SQLite in memory every thread of the live server shares the test's single
    database connection, so two requests at once (a form's save racing the panel's
    live evaluation) would interleave their transactions on it. Production never
    shares a connection between threads; this only keeps the test server honest.
    Connections stay threaded, so a browser's idle keep-alive never blocks another.
    """

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def one_at_a_time(environ: Any, start_response: Any) -> Any:
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATimeServer


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's Chromium; Playwright cannot download its own build here."""
    require_or_skip(Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None, "Chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


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
