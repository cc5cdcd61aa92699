from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit import (
            audit_actions,  # noqa: F401 -- declares the app's audit actions
            keys,  # noqa: F401 -- registers the development-key system check
        )
