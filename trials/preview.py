"""Each criterion's verbatim text beside its rule and the rule in plain words."""

from __future__ import annotations

from eligibility import CriterionExplanation, explain
from trials.models import ProtocolVersion
from trials.protocols import load_version


def criteria_rows(version: ProtocolVersion) -> list[CriterionExplanation]:
    return explain(load_version(version))
