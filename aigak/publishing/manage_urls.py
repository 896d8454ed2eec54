"""The coordinators' publishing pages under /publishing/ (login required)."""

from django.urls import path

import aigak.records.urls  # noqa: F401  (registers the record_id converter)
from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views_manage = Views("aigak.publishing.views_manage")

app_name = "publishing-manage"

urlpatterns = [
    path("", views_manage.index, name="index"),
    path("<slug:questionnaire>/bulk/", views_manage.bulk, name="bulk"),
    path(
        "<slug:questionnaire>/<record_id:record_id>/publish/", views_manage.publish, name="publish"
    ),
    path(
        "<slug:questionnaire>/<record_id:record_id>/unpublish/",
        views_manage.unpublish,
        name="unpublish",
    ),
    path(
        "<slug:questionnaire>/<record_id:record_id>/photo/",
        views_manage.mark_photo,
        name="photo-mark",
    ),
    path(
        "<slug:questionnaire>/<record_id:record_id>/photo/unmark/",
        views_manage.unmark_photo,
        name="photo-unmark",
    ),
    path(
        "<slug:questionnaire>/<record_id:record_id>/photo.jpg",
        views_manage.photo_preview,
        name="photo-preview",
    ),
]
