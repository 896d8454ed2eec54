"""Mounted at /api/v1/uploads/ by aigak.site.urls."""

from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
tus = Views("aigak.evidence.tus")


app_name = "tus"

urlpatterns = [
    path("", tus.uploads, name="uploads"),
    path("<uuid:upload_id>", tus.upload, name="upload"),
]
