"""What stays pinned to a protocol version when another one is activated.

Screenings are pinned to the version active when they started, and they live in an
app above trials (docs: layers), so trials asks rather than imports: an app whose
records are pinned to versions answers ``pinned_to_version`` with counts by site
(``PinnedCount``). Counts only — the data managers who activate versions see no
screening data, let alone identities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.dispatch import Signal

from trials.models import ProtocolVersion, Site

# Sent with ``version=``; each receiver returns an iterable of ``PinnedCount``.
pinned_to_version = Signal()


@dataclass(frozen=True)
class PinnedCount:
    """How many open records of one site stay on a version."""

    site: Site
    count: int


def pinned_counts(version: ProtocolVersion) -> tuple[PinnedCount, ...]:
    """Open records pinned to ``version``, summed by site, in site-code order."""
    by_site: dict[int, PinnedCount] = {}
    for _receiver, answer in pinned_to_version.send(sender=ProtocolVersion, version=version):
        for pinned in cast(Iterable[PinnedCount], answer or ()):
            known = by_site.get(pinned.site.pk)
            total = pinned.count + (known.count if known else 0)
            by_site[pinned.site.pk] = PinnedCount(pinned.site, total)
    return tuple(sorted(by_site.values(), key=lambda p: p.site.code))


def pinned_total(counts: Iterable[PinnedCount]) -> int:
    return sum(p.count for p in counts)
