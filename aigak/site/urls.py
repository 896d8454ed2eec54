"""The URL map: every app's pages under its own prefix, and the project's own pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
login_verify = Views("aigak.accounts.views_account").login_verify
views = Views("aigak.site.views")
views_import = Views("aigak.site.views_import")


handler500 = "aigak.site.views.server_error"
# The apps' admin.py modules register here, not when Django starts (SimpleAdminConfig in
# settings): the admin's forms and views cost every command 0.03-0.05 s of CPU.
admin.autodiscover()

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", login_verify, name="login-verify"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("aigak.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django's own admin: superusers only, linked from nowhere (the app's pages administer).
    path("admin/", admin.site.urls),
    path("healthz", views.healthz),
    path("import/", views_import.import_page, name="import"),
    path("import/start/", views_import.import_start, name="import-start"),
    path("import/<int:pk>/", views_import.import_run, name="import-run"),
    path("evidence/", include("aigak.evidence.urls")),
    path("api/v1/uploads/", include("aigak.evidence.tus_urls")),
    path("api/v1/", include("aigak.api.urls")),
    path("reports/", include("aigak.reports.urls")),
    path("linkage/", include("aigak.linkage.urls")),
    path("estimation/", include("aigak.estimation.urls")),
    path("", include("aigak.publishing.intake_urls")),
    path("public/", include("aigak.publishing.urls")),
    path("publishing/", include("aigak.publishing.manage_urls")),
    path("forms/", include("aigak.questionnaires.urls")),
    path("", include("aigak.collection.urls")),
    path("", include("aigak.records.urls")),
]
