from django.urls import path, register_converter

from aigak.lib.lazy import Views
from aigak.records.ids import PATTERN

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views = Views("aigak.records.views")
views_list = Views("aigak.records.views_list")
views_work = Views("aigak.records.views_work")


class RecordIdConverter:
    """A record id in an address: anything else is no page (404), never a lookup."""

    regex = PATTERN

    def to_python(self, value: str) -> str:
        if ".." in value:
            raise ValueError("no record id holds ..")
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordIdConverter, "record_id")

app_name = "records"

# "new" is not a record id: record ids look like V-000123.
urlpatterns = [
    path("records/<slug:questionnaire>/", views.record_list, name="list"),
    path("records/<slug:questionnaire>/new/", views.record_create, name="create"),
    path("records/<slug:questionnaire>/bulk/", views_list.record_bulk, name="bulk"),
    path(
        "records/<slug:questionnaire>/export/<slug:fmt>/",
        views_list.record_export,
        name="export",
    ),
    path("records/<slug:questionnaire>/<record_id:record_id>/", views.record_detail, name="detail"),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/edit/", views.record_edit, name="edit"
    ),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/status/",
        views_work.record_status,
        name="status",
    ),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/delete/",
        views_work.record_delete,
        name="delete",
    ),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/history/",
        views.record_history,
        name="history",
    ),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/history/<int:number>/restore/",
        views.record_restore,
        name="restore",
    ),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/undelete/",
        views_work.record_undelete,
        name="undelete",
    ),
    path(
        "records/<slug:questionnaire>/<record_id:record_id>/print/",
        views_work.record_print,
        name="print",
    ),
    path("trash/", views_work.trash, name="trash"),
    path("forms/<slug:questionnaire>/evaluate/", views.evaluate, name="evaluate"),
]
