"""The list of declared audit actions in ``docs/audit-actions.md``, written from the registry.

``python manage.py audit_actions_docs`` writes the page's generated sections
(the kinds and every action, grouped by the app its code names); a test fails
when the committed page differs from what the registry declares.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.apps import apps
from django.utils import translation

from audit import registry
from audit.registry import AuditAction, Kind
from config.generated_docs import ROOT, GeneratedFile

PAGE = ROOT / "docs" / "audit-actions.md"
COMMAND = "python manage.py audit_actions_docs"


def placeholders(template: str) -> set[str]:
    """The names a sentence fills: ``{who}`` → ``who``, ``{new[outcome]}`` → ``new``."""
    names = set()
    for _literal, field, _spec, _conversion in string.Formatter().parse(template):
        if field:
            names.add(field.split("[", 1)[0].split(".", 1)[0])
    return names


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else ""


def app_label(action: AuditAction) -> str:
    """The app an action's code names: its first word."""
    return action.code.split(".", 1)[0]


def documented(action: AuditAction) -> bool:
    """Whether the page lists the action: every action whose code names an installed
    app (actions a test suite declares for itself name none)."""
    try:
        apps.get_app_config(app_label(action))
    except LookupError:
        return False
    return True


def _app_title(label: str) -> str:
    return f"`{label}` — {apps.get_app_config(label).verbose_name}"


def _identity(action: AuditAction) -> str:
    if action.identity_all:
        return "every field"
    return ", ".join(f"`{name}`" for name in sorted(action.identity_fields))


def _sentence(action: AuditAction) -> str:
    told = _code(str(action.sentence))
    if action.quiet_sentence:
        told += f"<br>no field changes: {_code(str(action.quiet_sentence))}"
    return told


def kinds_table(actions: Iterable[AuditAction]) -> str:
    """Each kind a reader filters by, with how many actions it holds."""
    counts: dict[str, int] = defaultdict(int)
    for action in actions:
        counts[action.kind] += 1
    lines = ["| Kind | Shown as | Actions |", "|---|---|---|"]
    for kind in Kind:
        lines.append(f"| `{kind.value}` | {kind.label} | {counts[kind]} |")
    return "\n".join(lines)


def actions_list(actions: Sequence[AuditAction]) -> str:
    """Every action, one table per app (the first word of its code)."""
    by_app: dict[str, list[AuditAction]] = defaultdict(list)
    for action in actions:
        by_app[app_label(action)].append(action)
    parts = []
    for label in sorted(by_app):
        parts.append(f"### {_app_title(label)}")
        parts.append("")
        parts.append("| Code | Kind | About | Sentence | Needs a reason? | Identity |")
        parts.append("|---|---|---|---|---|---|")
        for action in sorted(by_app[label], key=lambda a: a.code):
            parts.append(
                f"| `{action.code}` | {Kind(action.kind).label} | {_code(action.model)} "
                f"| {_sentence(action)} | {'yes' if action.requires_reason else 'no'} "
                f"| {_identity(action)} |"
            )
        parts.append("")
    return "\n".join(parts)


def generated_files() -> list[GeneratedFile]:
    """The page, with its two generated sections."""
    actions = [action for action in registry.all_actions() if documented(action)]
    with translation.override("en"):
        sections = (("kinds", kinds_table(actions)), ("actions", actions_list(actions)))
    return [GeneratedFile(PAGE, sections=sections)]
