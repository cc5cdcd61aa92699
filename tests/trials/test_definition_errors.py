"""A definition with a mistake fails at import naming file, line and reason; nothing is written."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.trials.helpers import DEFINITION
from trials.models import ProtocolVersion, Trial

pytestmark = pytest.mark.django_db

# Line numbers in DEFINITION: 12 is I1's kind, 13 its text, 14 its rule; 18 is E1's rule.
BROKEN = [
    pytest.param(
        # PyYAML notices the unclosed bracket on the next line, and says so.
        DEFINITION.replace("  code: DEMO1", "  code: [DEMO1"),
        4,
        "YAML syntax: the list opened with '[' at line 3, column 9 is not closed",
        id="yaml-syntax",
    ),
    pytest.param(
        DEFINITION.replace("eligo-protocol/1", "eligo-protocol/9"),
        1,
        "must be 'eligo-protocol/1'",
        id="format",
    ),
    pytest.param(
        DEFINITION.replace("rule: alt >= 2 x ULN", "rule: alanine >= 2 x ULN"),
        18,
        "unknown quantity 'alanine'",
        id="unknown-quantity",
    ),
    pytest.param(
        DEFINITION.replace("age between 18 and 65 years", "age between 18 and 65 mmol/L"),
        14,
        "mmol/L",
        id="unit-does-not-fit",
    ),
    pytest.param(
        DEFINITION.replace(
            "rule: alt >= 2 x ULN",
            "rule: last dose of denosumab within 12 fortnights before screening",
        ),
        18,
        "fortnights",
        id="bad-window",
    ),
    pytest.param(
        DEFINITION.replace("rule: alt >= 2 x ULN", "rule: alt >= "), 18, "rule", id="rule-syntax"
    ),
    pytest.param(DEFINITION.replace("id: E1", "id: I1"), 15, "I1", id="duplicate-or-mismatched-id"),
    pytest.param(
        DEFINITION.replace("    text: Age 18 to 65 years.\n", ""),
        11,
        "text",
        id="missing-verbatim-text",
    ),
    pytest.param(
        DEFINITION.replace("kind: inclusion", "kind: inclusive"), 12, "inclusion", id="bad-kind"
    ),
    pytest.param(
        DEFINITION.replace(
            "rule: alt >= 2 x ULN", "rule: last dose of statin within 6 months before screening"
        ),
        18,
        "unknown drug or drug class 'statin'",
        id="unknown-drug-class",
    ),
    pytest.param(
        DEFINITION.replace(
            "rule: alt >= 2 x ULN",
            "rule: last dose of nasal bisphosphonate within 6 months before screening",
        ),
        18,
        "unknown route 'nasal'",
        id="unknown-route",
    ),
    pytest.param(
        DEFINITION.replace(
            "rule: alt >= 2 x ULN",
            "rule: last dose of intravenous denosumab within 6 months before screening",
        ),
        18,
        "never given by the intravenous route",
        id="impossible-route",
    ),
    pytest.param(
        DEFINITION.replace("lab_validity_days: 30", "lab_validity_days: 0"),
        9,
        "lab_validity_days",
        id="bad-setting",
    ),
    pytest.param(DEFINITION + "colour: blue\n", 19, "colour", id="unknown-key"),
    pytest.param(
        DEFINITION.replace("criteria:\n", "criteria: []\n").split("  - id: I1")[0],
        10,
        "lists no criteria",
        id="no-criteria",
    ),
]


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_a_broken_definition_names_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(CommandError) as excinfo:
        call_command("import_protocol", str(path), stdout=StringIO())
    message = str(excinfo.value)
    assert f"{path}:{line}:" in message, message
    assert reason in message, message
    assert not Trial.objects.exists()
    assert not ProtocolVersion.objects.exists()


def test_a_missing_file_is_reported_plainly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_protocol", str(tmp_path / "nowhere.yaml"), stdout=StringIO())
