"""Each criterion's verbatim text beside its rule, the rule in plain words, and what the
draft checks (``trials.checks``) found about it."""

from __future__ import annotations

from dataclasses import dataclass

from eligibility import CriterionExplanation, explain
from trials.checks import CriterionWarning, definition_warnings
from trials.models import ProtocolVersion
from trials.services.protocols import load_version


@dataclass(frozen=True)
class PreviewRow:
    criterion: CriterionExplanation
    warnings: tuple[CriterionWarning, ...]


@dataclass(frozen=True)
class Preview:
    rows: tuple[PreviewRow, ...]

    @property
    def warnings(self) -> tuple[CriterionWarning, ...]:
        """Every warning, in the criteria's order."""
        return tuple(w for row in self.rows for w in row.warnings)


def version_preview(version: ProtocolVersion) -> Preview:
    """The version's criteria explained and checked (the definition is loaded once)."""
    definition = load_version(version)
    warnings = definition_warnings(definition)
    return Preview(tuple(PreviewRow(row, warnings.get(row.id, ())) for row in explain(definition)))
