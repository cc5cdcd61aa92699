"""A readable comparison of two protocol versions, criterion by criterion."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trials.models import ProtocolVersion

Change = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class CriterionChange:
    id: str
    change: Change
    kind: str
    text_html: SafeString
    rule_html: SafeString


@dataclass(frozen=True)
class SettingChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class VersionDiff:
    old: ProtocolVersion
    new: ProtocolVersion
    criteria: tuple[CriterionChange, ...]
    settings: tuple[SettingChange, ...]

    @property
    def changed(self) -> tuple[CriterionChange, ...]:
        return tuple(c for c in self.criteria if c.change != "unchanged")

    @property
    def is_empty(self) -> bool:
        return not self.changed and not self.settings


def word_diff(old: str, new: str) -> SafeString:
    """Words removed in <del>, added in <ins>; everything escaped."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))  # noqa: S308 -- every piece escaped above


def _criteria(version: ProtocolVersion) -> dict[str, dict[str, Any]]:
    return {str(c["id"]): c for c in version.definition.get("criteria") or []}


def _flat(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    )


def version_diff(old: ProtocolVersion, new: ProtocolVersion) -> VersionDiff:
    before, after = _criteria(old), _criteria(new)
    order = list(after) + [cid for cid in before if cid not in after]
    changes = []
    for cid in order:
        a, b = before.get(cid), after.get(cid)
        if a is None and b is not None:
            change: Change = "added"
            text, rule = word_diff("", b["text"]), word_diff("", b["rule"])
        elif b is None and a is not None:
            change = "removed"
            text, rule = word_diff(a["text"], ""), word_diff(a["rule"], "")
        elif a is not None and b is not None:
            same = a["text"] == b["text"] and a["rule"] == b["rule"] and a["kind"] == b["kind"]
            change = "unchanged" if same else "changed"
            text, rule = word_diff(a["text"], b["text"]), word_diff(a["rule"], b["rule"])
        kind = str((b or a or {}).get("kind", ""))
        changes.append(CriterionChange(cid, change, kind, text, rule))
    old_settings = old.definition.get("settings") or {}
    new_settings = new.definition.get("settings") or {}
    settings = tuple(
        SettingChange(name, _flat(old_settings.get(name, "—")), _flat(new_settings.get(name, "—")))
        for name in sorted(set(old_settings) | set(new_settings))
        if old_settings.get(name) != new_settings.get(name)
    )
    return VersionDiff(old, new, tuple(changes), settings)
