"""Hostile documents fail with the line and the reason, never with a crash: rules and
definitions nest only so deep, characters nobody can store are refused, and the command
line says why it stops."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import DefinitionError, load_definition
from eligibility.catalogue import Catalogue
from eligibility.definition import MAX_DEPTH
from eligibility.errors import RuleError
from eligibility.parse_base import MAX_NESTING
from eligibility.parser import parse_rule

from .helpers import EXAMPLES, PROTOCOLS, ROOT

ATOM = "weight >= 40 kg"
DEFINITION = """\
format: eligo-protocol/1
trial:
  code: T1
  title: Test trial
protocol_version: "1"
criteria:
  - id: I1
    kind: inclusion
    text: Body weight at least 40 kg.
    rule: {rule}
"""


def wrapped(depth: int, opening: str, closing: str) -> str:
    return opening * depth + ATOM + closing * depth


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("(", ")"), ("not ", ""), ("any of (", ")"), ("at least 1 of (", ")")],
)
def test_a_rule_may_nest_up_to_the_limit(catalogue: Catalogue, opening: str, closing: str) -> None:
    # Each construct adds one level, and the atom's own expression is the first.
    parse_rule(wrapped(MAX_NESTING - 1, opening, closing), catalogue)


def test_250_nested_parentheses_are_refused_where_the_rule_goes_too_deep(
    catalogue: Catalogue,
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(wrapped(250, "(", ")"), catalogue)
    # The rule itself is the first level: the 32nd parenthesis opens the 33rd.
    assert (caught.value.line, caught.value.column) == (1, MAX_NESTING + 1)
    assert f"nests more than {MAX_NESTING} levels" in caught.value.message


def test_nested_min_and_max_are_refused_the_same_way(catalogue: Catalogue) -> None:
    rule = "max(" * 300 + "weight" + ")" * 300 + " >= 40 kg"
    with pytest.raises(RuleError, match=f"nests more than {MAX_NESTING} levels"):
        parse_rule(rule, catalogue)


def test_a_too_deep_rule_in_a_definition_names_the_file_line(catalogue: Catalogue) -> None:
    text = DEFINITION.format(rule=wrapped(250, "not ", ""))
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="deep.yaml", catalogue=catalogue)
    assert caught.value.line == 10
    assert str(caught.value).startswith(
        f"deep.yaml:10:{len('    rule: ') + 4 * MAX_NESTING + 1}: criterion I1 rule, "
        f"line 1 column {4 * MAX_NESTING + 1}: "
        f"the rule nests more than {MAX_NESTING} levels deep"
    )


@settings(max_examples=40, deadline=None)
@given(
    layers=st.lists(
        st.sampled_from(
            [("(", ")"), ("not ", ""), ("none of (", ")"), ("any of (", ", " + ATOM + ")")]
        ),
        max_size=300,
    )
)
def test_any_nesting_parses_or_fails_with_a_rule_error(
    catalogue: Catalogue, layers: list[tuple[str, str]]
) -> None:
    rule = "".join(o for o, _ in layers) + ATOM + "".join(c for _, c in reversed(layers))
    if len(layers) < MAX_NESTING:
        parse_rule(rule, catalogue)
    else:
        with pytest.raises(RuleError, match="nests more than"):
            parse_rule(rule, catalogue)


def block_list(depth: int) -> str:
    return "note:\n" + "".join("  " * level + "-\n" for level in range(1, depth + 1))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(block_list(500), MAX_DEPTH + 1, id="block"),
        pytest.param("note: " + "[" * 500 + "]" * 500 + "\n", 1, id="flow-lists"),
        pytest.param("note: " + "{a: " * 500 + "1" + "}" * 500 + "\n", 1, id="flow-mappings"),
    ],
)
def test_a_definition_nested_500_levels_is_refused_with_the_line(text: str, line: int) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="deep.yaml")
    assert caught.value.line == line
    assert caught.value.message == f"the definition nests more than {MAX_DEPTH} levels deep"


def test_aliases_cannot_stack_shallow_parts_into_a_deep_document() -> None:
    inner = "[" * 10 + "1" + "]" * 10
    text = f"a: &a {inner}\nb: &b {'[' * 10}*a{']' * 10}\nc: {'[' * 10}*b{']' * 10}\n"
    with pytest.raises(DefinitionError, match=f"nests more than {MAX_DEPTH} levels deep"):
        load_definition(text, source="aliases.yaml")


def test_a_definition_as_deep_as_allowed_is_read_and_judged_on_its_content() -> None:
    # Nested exactly to the limit: no depth complaint, only the usual problems.
    text = block_list(MAX_DEPTH - 1)
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="ok.yaml")
    assert "nests more than" not in str(caught.value)


def test_a_raw_nul_or_bell_is_refused_with_its_line() -> None:
    for char in ("\x00", "\x07"):
        with pytest.raises(DefinitionError) as caught:
            load_definition(DEFINITION.format(rule=ATOM) + f"note: a{char}b\n", source="nul.yaml")
        assert str(caught.value) == f"nul.yaml:11:8: YAML: unacceptable character #x{ord(char):04x}"


def test_control_characters_written_as_escapes_are_refused_wherever_they_are() -> None:
    text = (
        DEFINITION.format(rule=ATOM).replace('protocol_version: "1"', 'protocol_version: "1\\0"')
        + 'note:\n  "odd\\x01key": fine\n'
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="escapes.yaml")
    assert [(p.line, p.column, p.message) for p in caught.value.problems] == [
        (5, 19, "protocol_version: contains the control character U+0000"),
        (12, 3, "note.odd\\x01key: contains the control character U+0001"),
    ]


def test_line_breaks_and_tabs_in_text_are_not_control_characters() -> None:
    text = DEFINITION.format(rule=ATOM).replace(
        "text: Body weight at least 40 kg.", 'text: "Body weight\\tat least\\r\\n40 kg."'
    )
    assert load_definition(text, source="ok.yaml").criteria[0].text == (
        "Body weight\tat least\r\n40 kg."
    )


# --- The command line -------------------------------------------------------------------


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eligibility", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_cli_refuses_a_deep_definition_with_file_and_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text(block_list(500), encoding="utf-8")
    done = cli("explain", deep)
    assert done.returncode == 2
    assert done.stderr == (
        f"{deep}:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: "
        f"the definition nests more than {MAX_DEPTH} levels deep\n"
    )


def test_the_cli_refuses_a_rule_with_250_parentheses(tmp_path: Path) -> None:
    deep = tmp_path / "parens.yaml"
    deep.write_text(DEFINITION.format(rule=wrapped(250, "(", ")")), encoding="utf-8")
    done = cli("explain", deep)
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"{deep}:10:{len('    rule: ') + MAX_NESTING + 1}: criterion I1 rule, line 1 column "
        f"{MAX_NESTING + 1}:"
    )
    assert "Traceback" not in done.stderr


def test_the_cli_refuses_deep_facts_binary_files_and_dates_off_the_calendar(
    tmp_path: Path,
) -> None:
    from eligibility.__main__ import main

    definition = str(PROTOCOLS / "hmsc100.yaml")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    done = cli("evaluate", definition, deep)
    assert (done.returncode, done.stderr) == (
        2,
        f"{deep}: (top level): not valid facts: nested far too deeply\n",
    )
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"format: \xff\xfe\x00")
    assert main(["explain", str(binary)]) == 2
    facts = json.loads((EXAMPLES / "hmsc100-eligible.json").read_text(encoding="utf-8"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    assert main(["evaluate", definition, str(path), "--on", "0001-01-01"]) == 2


def test_the_documented_limits_are_the_limits() -> None:
    rules = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    definitions = (ROOT / "docs" / "definition-format.md").read_text(encoding="utf-8")
    assert f"more\nthan {MAX_NESTING} levels deep" in rules
    assert f"nested more than {MAX_DEPTH} levels deep" in definitions
