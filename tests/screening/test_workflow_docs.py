"""docs/screening-workflow.md and its diagram say what the workflow's table says.

The page's transition table and ``docs/images/screening-workflow.svg`` are
written from ``TRANSITIONS``; these tests regenerate both and fail when the
committed files differ, naming the command that rewrites them.
"""

from __future__ import annotations

import difflib
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit import registry
from config.generated_docs import GeneratedFile, read_section
from screening import workflow_docs
from screening.models import ScreeningStatus
from screening.services.workflow import TRANSITIONS, Action

SVG = "{http://www.w3.org/2000/svg}"


def _difference(generated: GeneratedFile) -> str:
    committed = generated.path.read_text(encoding="utf-8") if generated.path.exists() else ""
    diff = difflib.unified_diff(
        committed.splitlines(),
        generated.expected().splitlines(),
        "committed",
        "from the code",
        lineterm="",
        n=1,
    )
    return "\n".join(list(diff)[:40])


def test_the_committed_table_and_diagram_match_the_workflow() -> None:
    for generated in workflow_docs.generated_files():
        assert generated.is_current(), (
            f"{generated.name} differs from screening/services/workflow.py: run "
            f"`{workflow_docs.COMMAND}` and commit the result.\n{_difference(generated)}"
        )


def test_the_table_has_one_row_per_transition_with_its_audit_action() -> None:
    page = workflow_docs.PAGE.read_text(encoding="utf-8")
    rows = read_section(page, workflow_docs.SECTION).splitlines()[2:]
    assert len(rows) == len(TRANSITIONS)
    signing = [row for row in rows if "(`sign`)" in row]
    assert len(signing) == 3
    assert all("| investigator |" in row for row in signing)
    voiding = [row for row in rows if row.endswith("| yes |")]
    assert {row.split(" | ")[1] for row in voiding} == {"Eligible", "Screen failure", "Withdrawn"}


def test_every_audit_action_the_table_names_is_declared() -> None:
    for row in TRANSITIONS:
        if row.audit_action:
            assert registry.find(row.audit_action) is not None, row


def test_the_diagram_is_an_accessible_svg_of_every_status_and_action() -> None:
    # The repository's own file, written by our code: not untrusted input.
    root = ET.fromstring(workflow_docs.IMAGE.read_text(encoding="utf-8"))  # noqa: S314
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "title desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text
    assert desc is not None
    assert desc.text
    texts = {element.text for element in root.iter(f"{SVG}text")}
    for status in ScreeningStatus:
        assert str(status.label) in texts
        assert f"{status.label}:" in desc.text
    for action in Action:
        assert str(action.label).lower() in texts
    # Every transition is an arrow with its words for those who hover or listen.
    arrows = [g for g in root.iter(f"{SVG}g") if g.get("class") == "transition"]
    described = " ".join(g.findtext(f"{SVG}title", "") for g in arrows)
    for row in TRANSITIONS:
        if row.audit_action:
            assert f"audited as {row.audit_action}" in described


def test_a_change_to_the_table_changes_the_docs() -> None:
    without_enrolment = tuple(row for row in TRANSITIONS if row.action != Action.ENROL)
    table = workflow_docs.transition_table(without_enrolment)
    svg = workflow_docs.workflow_svg(without_enrolment)
    assert "Record enrolment" not in table
    assert "record enrolment" not in svg
    assert table != workflow_docs.transition_table()
    assert svg != workflow_docs.workflow_svg()


def test_a_status_without_a_place_in_the_diagram_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    places = dict(workflow_docs.PLACES)
    del places[ScreeningStatus.WITHDRAWN]
    monkeypatch.setattr(workflow_docs, "PLACES", places)
    with pytest.raises(ValueError, match="no place for the status 'withdrawn'"):
        workflow_docs.workflow_svg()


def test_the_command_checks_and_rewrites_stale_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = workflow_docs.PAGE.read_text(encoding="utf-8")
    page, image = tmp_path / "screening-workflow.md", tmp_path / "images" / "workflow.svg"
    shutil.copy(workflow_docs.PAGE, page)
    image.parent.mkdir()
    image.write_text("<svg/>", encoding="utf-8")
    # A hand edit of the generated table, as if the code had changed under it.
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("| investigator |", "| coordinator |", 1), encoding="utf-8")
    monkeypatch.setattr(workflow_docs, "PAGE", page)
    monkeypatch.setattr(workflow_docs, "IMAGE", image)

    with pytest.raises(CommandError, match=r"Out of date: .*screening-workflow\.md, .*\.svg"):
        call_command("workflow_docs", "--check")
    call_command("workflow_docs")
    call_command("workflow_docs", "--check")

    # The table is written back; the prose around it is the page's own and stays.
    assert page.read_text(encoding="utf-8") == committed
    assert image.read_text(encoding="utf-8") == workflow_docs.workflow_svg()
