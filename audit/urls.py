from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    # object_type is "app_label.model", e.g. /audit/trials.site/3/
    path("<str:object_type>/<str:object_id>/", views.history, name="history"),
]
