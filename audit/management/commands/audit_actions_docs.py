"""``python manage.py audit_actions_docs``: write the list of audit actions in the docs."""

from __future__ import annotations

from collections.abc import Sequence

from audit.actions_docs import generated_files
from config.generated_docs import GeneratedDocsCommand, GeneratedFile


class Command(GeneratedDocsCommand):
    help = (
        "Write the kinds and the list of every declared audit action in "
        "docs/audit-actions.md from the registry (audit/registry.py)."
    )

    def files(self) -> Sequence[GeneratedFile]:
        return generated_files()
