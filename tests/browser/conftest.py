"""Fixtures for the browser tests: Debian's Chromium, a live server that handles one
request at a time, a folder for screenshots, and a watch on the browser's console
that fails any test during which the browser refused something under Eligo's
Content-Security-Policy or Permissions-Policy."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import BrowserContext, ConsoleMessage
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import PolicyViolations
from tests.helpers import ROOT, require_or_skip

# Sync Playwright runs an event loop in the test thread next to live_server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


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


@pytest.fixture
def policy_violations() -> PolicyViolations:
    """What the browser refused under Eligo's headers during this test."""
    return PolicyViolations()


@pytest.fixture
def context(
    context: BrowserContext, policy_violations: PolicyViolations
) -> Iterator[BrowserContext]:
    """pytest-playwright's context, watched: every page of every browser test must
    satisfy the Content-Security-Policy (and carry a Permissions-Policy the browser
    understands), or the test fails."""

    def on_console(message: ConsoleMessage) -> None:
        policy_violations.note(message.text, message.location.get("url", ""))

    context.on("console", on_console)
    yield context
    for page in context.pages:
        # A page the test closed or crashed has nothing more to say.
        with contextlib.suppress(PlaywrightError):
            # Lets the console messages still on their way arrive before the count.
            page.wait_for_timeout(100)
    if policy_violations.messages:
        pytest.fail(
            "The browser refused something under Eligo's security headers:\n"
            + "\n".join(policy_violations.messages),
            pytrace=False,
        )
