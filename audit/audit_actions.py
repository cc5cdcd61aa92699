"""Audit actions of the audit trail itself: reading it out, its checkpoints and scheduled checks."""

from django.utils.translation import gettext_lazy as _

from audit.registry import AuditAction, Kind, configuration_actions, register

register(
    AuditAction(
        "audit.trail.exported",
        _("{who} downloaded the audit trail of {object} as CSV{filters}"),
        Kind.EXPORT,
        quiet_sentence=_("{who} downloaded the audit trail as CSV"),
    ),
    AuditAction(
        "audit.checkpoint.written",
        _(
            "{who} wrote a signed checkpoint of the audit chain, up to the event before this one, "
            "to {new[file]}"
        ),
        Kind.SYSTEM,
    ),
    # Scheduled jobs (the nightly audit-chain check among them) live in
    # django-celery-beat's tables; the admin edits them as configuration.
    *configuration_actions("django_celery_beat.periodictask"),
    *configuration_actions("django_celery_beat.crontabschedule"),
    *configuration_actions("django_celery_beat.intervalschedule"),
    *configuration_actions("django_celery_beat.solarschedule"),
    *configuration_actions("django_celery_beat.clockedschedule"),
)
