from django.contrib import admin
from django.urls import include, path

from accounts import auth_views, settings_views
from config.health import healthz
from dashboards.views import home

admin.site.site_header = "Eligo administration"
admin.site.site_title = "Eligo"
admin.site.index_title = "Configuration"
auth_views.one_login_gate(admin.site)

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordSetView.as_view(),
        name="password_set",
    ),
    path("settings/", settings_views.account_settings, name="settings"),
    path("language/", settings_views.language_choose, name="language"),
    path("help/", include("dashboards.help_urls")),
    path("audit/", include("dashboards.audit_urls")),
    path("screening/", include("screening.urls")),
    path("summary/", include("dashboards.summary_urls")),
    path("notifications/", include("notifications.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
