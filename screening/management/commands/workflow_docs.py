"""``python manage.py workflow_docs``: write the screening workflow's table and diagram."""

from __future__ import annotations

from collections.abc import Sequence

from config.generated_docs import GeneratedDocsCommand, GeneratedFile
from screening.workflow_docs import generated_files


class Command(GeneratedDocsCommand):
    help = (
        "Write the transition table of docs/screening-workflow.md and "
        "docs/images/screening-workflow.svg from screening.services.workflow.TRANSITIONS."
    )

    def files(self) -> Sequence[GeneratedFile]:
        return generated_files()
