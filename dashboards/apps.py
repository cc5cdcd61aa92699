from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The top layer: pages that read across the apps below (home, audit trail)."""

    name = "dashboards"
    verbose_name = "Dashboards"
