from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from screening import (
            audit_actions,  # noqa: F401 -- declares the app's audit actions
            signals,
        )

        signals.connect()
