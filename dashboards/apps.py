from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The top layer: pages that read across the apps below (home, audit trail)."""

    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        # The log's PDF holds the trial summary, which the screening app below cannot
        # draw: it is offered as one of the log's formats from here.
        from dashboards.log_pdf import PDF
        from screening.log_formats import register

        register(PDF)
