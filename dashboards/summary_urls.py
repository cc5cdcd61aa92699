"""The trial summary's pages, under the ``summary`` namespace."""

from django.urls import path

from dashboards.views import summary as views

app_name = "summary"

urlpatterns = [
    path("", views.summary_index, name="index"),
    path("<str:code>/", views.trial_summary_view, name="trial"),
]
