"""Identities due for erasure under their trial's retention policy."""

from __future__ import annotations

from django.db import models

from audit.scope import AuditScope
from screening.models.candidates import Candidate


class RetentionDue(models.Model):
    """One candidate whose identity the retention policy says is due for erasure.

    Written by the daily review (``screening.tasks.retention_review``), which lists
    and never erases: a data manager confirms the erasure (docs/privacy.md). A row
    leaves the list when the identity is erased or is no longer due (a new attempt).
    """

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="retention_due"
    )
    due_on = models.DateField()
    rule = models.CharField(max_length=200, help_text="The policy that made it due, in words.")
    listed_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "candidate__screening_number"]

    def __str__(self) -> str:
        return f"{self.candidate} due for erasure on {self.due_on}"

    def audit_scope(self) -> AuditScope:
        return self.candidate.audit_scope()
