from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials and sites"

    def ready(self) -> None:
        from trials import (
            audit_actions,  # noqa: F401 -- declares the app's audit actions
            signals,
        )

        signals.connect()
