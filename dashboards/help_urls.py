"""The help pages, under the ``help`` namespace."""

from django.urls import path

from dashboards.views import help as views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.topic, name="topic"),
]
