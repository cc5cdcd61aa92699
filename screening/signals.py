"""Open screenings are evaluated again after what their evaluation read has changed.

A changed quantity, drug class or drug can change any open screening's outcome; a
changed reference range only those at its site. The work is recorded in the outbox
in the change's own transaction and handed to a worker once it commits
(``screening.tasks.queue_reevaluation``), so saving never waits on the broker;
screenings already decided keep the evaluation their decision rests on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.db.models.signals import post_delete, post_save

from screening.selectors import open_screenings
from trials.catalogue import catalogue_was_changed
from trials.models import ProtocolVersion, ReferenceRange, Site
from trials.pinning import PinnedCount, pinned_to_version


def _reevaluate(site_id: int | None = None) -> None:
    from screening.tasks import queue_reevaluation

    screenings = open_screenings()
    if site_id is not None:
        screenings = screenings.filter(candidate__site_id=site_id)
    queue_reevaluation(screenings.order_by("pk").values_list("pk", flat=True))


def _catalogue_changed(sender: Any, **kwargs: Any) -> None:
    _reevaluate()


def _range_changed(sender: Any, instance: ReferenceRange, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _reevaluate(instance.site_id)


def _open_screenings_pinned(
    sender: Any, version: ProtocolVersion, **kwargs: Any
) -> list[PinnedCount]:
    """Open screenings stay on the version they started under: counted by site for the
    page that activates another version (``trials.pinning``)."""
    rows = (
        open_screenings()
        .filter(protocol_version=version)
        .values("candidate__site")
        .annotate(screenings=Count("pk"))
    )
    sites = Site.objects.in_bulk([row["candidate__site"] for row in rows])
    return [PinnedCount(sites[row["candidate__site"]], row["screenings"]) for row in rows]


def connect() -> None:
    catalogue_was_changed.connect(_catalogue_changed, dispatch_uid="reevaluate-catalogue")
    pinned_to_version.connect(_open_screenings_pinned, dispatch_uid="pinned-open-screenings")
    post_save.connect(_range_changed, sender=ReferenceRange, dispatch_uid="reevaluate-range-save")
    post_delete.connect(
        _range_changed, sender=ReferenceRange, dispatch_uid="reevaluate-range-delete"
    )
