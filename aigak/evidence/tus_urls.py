"""Mounted at /api/v1/uploads/ by aigak.site.urls."""

from django.urls import path

from aigak.evidence import tus

app_name = "tus"

urlpatterns = [
    path("", tus.uploads, name="uploads"),
    path("<uuid:upload_id>", tus.upload, name="upload"),
]
