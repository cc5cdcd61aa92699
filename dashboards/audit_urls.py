"""The audit trail's pages, under the ``audit`` namespace."""

from django.urls import path

from dashboards.views import monitor_trail
from dashboards.views import trail as views

app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("monitor/", monitor_trail.monitor_trail, name="monitor_trail"),
    # object_type is "app_label.model", e.g. /audit/trials.site/3/
    path("<str:object_type>/<str:object_id>/", views.history, name="history"),
]
