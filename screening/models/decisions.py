"""What the engine concluded, what staff decided, who signed, and enrolment.

Evaluations, decisions, signatures and their voids are immutable rows: a new
conclusion is a new row, so the story of a screening can always be retold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.immutable import ImmutableModel, ImmutableQuerySet
from audit.scope import AuditScope
from screening.models.screenings import Screening
from trials.models import ProtocolVersion


class EvaluationStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    INCOMPLETE = "incomplete", _("Incomplete")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class EvaluationQuerySet(ImmutableQuerySet["Evaluation"]):
    def newest_first(self) -> EvaluationQuerySet:
        """The one order in which "the latest evaluation" is read, everywhere."""
        return self.order_by("-created_at", "-pk")


class Evaluation(ImmutableModel):
    """One engine run over a screening's saved data: the facts given and the result.

    ``screening_revision`` is the screening's revision the facts were read at.
    """

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="evaluations")
    screening_revision = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    engine_version = models.CharField(max_length=20)
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=EvaluationStatus.choices)
    eligible_from = models.DateField(null=True, blank=True)
    facts = models.JSONField()
    result = models.JSONField()

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["screening", "-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["screening", "-created_at"], name="evaluation_latest_idx"),
            models.Index(fields=["eligible_from"], name="evaluation_eligible_from_idx"),
        ]

    def __str__(self) -> str:
        return f"evaluation {self.pk}: {self.status}"

    def audit_scope(self) -> AuditScope:
        return self.screening.audit_scope()

    @property
    def blocking(self) -> list[str]:
        return list(self.result.get("blocking", []))

    @property
    def pending_judgments(self) -> list[dict[str, str]]:
        return list(self.result.get("pending_judgments", []))


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    SCREEN_FAILURE = "screen_failure", _("Screen failure")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReasonCategory(models.TextChoices):
    CRITERIA = "criteria", _("Eligibility criteria not met")
    DECLINED = "declined", _("Candidate declined")
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")
    OTHER = "other", _("Other")


class DecisionQuerySet(ImmutableQuerySet["Decision"]):
    pass


class Decision(ImmutableModel):
    """A proposed outcome. It stands once an investigator signs it; the latest
    decision of a screening is its current one."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason_category = models.CharField(max_length=20, choices=ReasonCategory.choices, blank=True)
    failed_criteria = models.JSONField(default=list, blank=True)
    reason_text = models.TextField(blank=True)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="decisions")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["screening", "-proposed_at", "-pk"]
        get_latest_by = ["proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="eligible") | Q(reason_category=""),
                name="decision_eligible_has_no_failure_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.screening})"

    def audit_scope(self) -> AuditScope:
        return self.screening.audit_scope()


class SignatureQuerySet(ImmutableQuerySet["Signature"]):
    pass


class Signature(ImmutableModel):
    """An investigator's electronic signature of one decision (21 CFR 11.50)."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="signature")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="signatures",
        help_text="The evaluation the signer confirmed (the latest one when signing).",
    )
    printed_name = models.CharField(max_length=200)
    meaning = models.TextField()
    signed_at = models.DateTimeField(help_text="UTC; shown in the site's time zone too.")

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"signed by {self.printed_name} at {self.signed_at:%Y-%m-%d %H:%M} UTC"

    def audit_scope(self) -> AuditScope:
        return self.decision.audit_scope()

    @property
    def is_void(self) -> bool:
        return hasattr(self, "void")


class SignatureVoidQuerySet(ImmutableQuerySet["SignatureVoid"]):
    pass


class SignatureVoid(ImmutableModel):
    """Why a signature no longer stands: the data behind it changed."""

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="void")
    voided_at = models.DateTimeField()
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField()
    audit_event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = SignatureVoidQuerySet.as_manager()

    def __str__(self) -> str:
        return f"signature {self.signature_id} void since {self.voided_at:%Y-%m-%d %H:%M} UTC"

    def audit_scope(self) -> AuditScope:
        return self.signature.audit_scope()


class Enrolment(models.Model):
    """An eligible, signed screening enrolled in the trial."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="enrolment")
    enrolled_on = models.DateField()
    randomisation_number = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.screening} enrolled on {self.enrolled_on}"

    def audit_scope(self) -> AuditScope:
        return self.screening.audit_scope()
