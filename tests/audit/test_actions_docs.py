"""docs/audit-actions.md lists what the registry declares, and explains every placeholder.

The page's kinds and its list of actions are written from the registry; these
tests regenerate them and fail when the committed page differs, naming the
command that rewrites it.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit import actions_docs, registry
from audit.registry import AuditAction, Kind
from config.generated_docs import read_section


def test_the_committed_page_matches_the_registry() -> None:
    for generated in actions_docs.generated_files():
        committed = generated.path.read_text(encoding="utf-8")
        diff = difflib.unified_diff(
            committed.splitlines(),
            generated.expected().splitlines(),
            "committed",
            "from the registry",
            lineterm="",
            n=1,
        )
        assert generated.is_current(), (
            f"{generated.name} differs from the declared audit actions: run "
            f"`{actions_docs.COMMAND}` and commit the result.\n" + "\n".join(list(diff)[:40])
        )


def test_every_action_of_eligo_is_listed_once_with_its_sentence() -> None:
    listed = read_section(actions_docs.PAGE.read_text(encoding="utf-8"), "actions")
    declared = [a for a in registry.all_actions() if not a.code.startswith("tests.")]
    assert declared, "the apps declare their actions when Django starts"
    for action in declared:
        rows = [line for line in listed.splitlines() if line.startswith(f"| `{action.code}` |")]
        assert len(rows) == 1, action.code
        assert f"`{action.sentence}`" in rows[0]
        assert rows[0].split(" | ")[4] == ("yes" if action.requires_reason else "no")


def test_only_the_test_suites_own_vocabulary_is_left_out() -> None:
    left_out = [a.code for a in registry.all_actions() if not actions_docs.documented(a)]
    assert all(code.startswith("tests.") for code in left_out), left_out
    assert not actions_docs.documented(AuditAction("tests.site.reviewed", "", Kind.SYSTEM))


def test_identity_actions_say_which_fields_are_hidden() -> None:
    listed = read_section(actions_docs.PAGE.read_text(encoding="utf-8"), "actions")
    row = next(
        line
        for line in listed.splitlines()
        if line.startswith("| `screening.candidate_identity.changed` |")
    )
    assert row.endswith("| every field |")


def test_every_kind_is_explained_with_its_label() -> None:
    kinds = read_section(actions_docs.PAGE.read_text(encoding="utf-8"), "kinds")
    for kind in Kind:
        assert f"| `{kind.value}` | {kind.label} |" in kinds


def test_every_placeholder_a_sentence_uses_is_explained_on_the_page() -> None:
    page = actions_docs.PAGE.read_text(encoding="utf-8")
    used: dict[str, str] = {}
    for action in registry.all_actions():
        for sentence in (action.sentence, action.quiet_sentence):
            for name in actions_docs.placeholders(str(sentence)):
                used.setdefault(name, action.code)
    assert {"who", "object", "changes", "new"} <= set(used)
    placeholders_table = page.split("The placeholders:", 1)[1].split("\n## ", 1)[0]
    for name, code in sorted(used.items()):
        assert f"`{{{name}" in placeholders_table, f"{{{name}}} (used by {code}) is not explained"


def test_placeholders_are_the_names_a_sentence_fills() -> None:
    assert actions_docs.placeholders("{who} changed {new[outcome]} of {object}{filters}") == {
        "who",
        "new",
        "object",
        "filters",
    }
    assert actions_docs.placeholders("No placeholders") == set()


def test_the_command_checks_and_rewrites_a_stale_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = actions_docs.PAGE.read_text(encoding="utf-8")
    page = tmp_path / "audit-actions.md"
    shutil.copy(actions_docs.PAGE, page)
    # An action dropped from the list by hand, as if one had been declared since.
    lines = [
        line for line in committed.splitlines(keepends=True) if "`accounts.logout`" not in line
    ]
    page.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(actions_docs, "PAGE", page)

    with pytest.raises(CommandError, match=r"Out of date: .*audit-actions\.md"):
        call_command("audit_actions_docs", "--check")
    call_command("audit_actions_docs")
    call_command("audit_actions_docs", "--check")

    assert page.read_text(encoding="utf-8") == committed
