from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials and sites"

    def ready(self) -> None:
        from trials import signals

        signals.connect()
