"""Concurrent writers on PostgreSQL never fork the chain nor lose an event."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.verify import verify_chain
from tests.audit.conftest import rename_site
from tests.conftest import require_or_skip

WRITERS = 8
CHANGES_EACH = 50


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_leave_an_intact_chain_with_no_gaps(db: Any) -> None:
    require_or_skip(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    from trials.models import Site

    sites = [
        Site.objects.create(code=f"C{n:02d}", name=f"Site {n}", country="DE")
        for n in range(WRITERS)
    ]
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(site_id: int) -> None:
        # Each thread gets its own database connection from Django.
        try:
            site = Site.objects.get(pk=site_id)
            start.wait(timeout=30)
            for change in range(CHANGES_EACH):
                rename_site(site, f"{site.code} change {change}")
        except BaseException as error:  # reported to the test thread below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(site.pk,)) for site in sites]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not failures, failures
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, WRITERS * CHANGES_EACH + 1))
    for site in sites:
        assert AuditEvent.objects.filter(object_id=str(site.pk)).count() == CHANGES_EACH
    report = verify_chain()
    assert report.intact, report.summary()
    assert report.events == WRITERS * CHANGES_EACH
