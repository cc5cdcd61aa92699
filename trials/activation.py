"""What activating a draft would change: read before a data manager signs it."""

from __future__ import annotations

from dataclasses import dataclass

from trials.diff import VersionDiff, version_diff
from trials.models import ProtocolVersion
from trials.pinning import PinnedCount, pinned_counts, pinned_total
from trials.preview import Preview, version_preview
from trials.selectors import active_version


@dataclass(frozen=True)
class ActivationSummary:
    """The draft, the version it replaces, the differences and what stays on the old one."""

    version: ProtocolVersion
    replaces: ProtocolVersion | None
    diff: VersionDiff | None
    pinned: tuple[PinnedCount, ...]
    preview: Preview

    @property
    def pinned_total(self) -> int:
        return pinned_total(self.pinned)


def activation_summary(version: ProtocolVersion) -> ActivationSummary:
    """Everything the confirmation page shows; the first version of a trial replaces none."""
    replaces = active_version(version.trial)
    if replaces is not None and replaces.pk == version.pk:
        replaces = None
    return ActivationSummary(
        version=version,
        replaces=replaces,
        diff=version_diff(replaces, version) if replaces is not None else None,
        pinned=pinned_counts(replaces) if replaces is not None else (),
        preview=version_preview(version),
    )
