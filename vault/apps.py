from django.apps import AppConfig


class VaultConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vault"
    verbose_name = "Identity keys"

    def ready(self) -> None:
        from vault import checks  # noqa: F401  (registers the system check)
