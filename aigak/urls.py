from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from aigak.accounts.views_account import login_verify


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", login_verify, name="login-verify"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("aigak.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django's own admin: superusers only, linked from nowhere (the app's pages administer).
    path("admin/", admin.site.urls),
    path("healthz", healthz),
    path("evidence/", include("aigak.evidence.urls")),
    path("api/v1/uploads/", include("aigak.evidence.tus_urls")),
    path("reports/", include("aigak.reports.urls")),
    path("linkage/", include("aigak.linkage.urls")),
    path("estimation/", include("aigak.estimation.urls")),
    path("public/", include("aigak.publishing.urls")),
    path("", include("aigak.records.urls")),
]
