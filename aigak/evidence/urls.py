from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views = Views("aigak.evidence.views")


app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload_page, name="upload"),
    path("records.json", views.record_choices, name="record_choices"),
    path("<int:pk>/", views.evidence_detail, name="detail"),
    path("<int:pk>/file", views.evidence_file, name="file"),
    path("<int:pk>/thumbnail", views.evidence_thumbnail, name="thumbnail"),
    path("<int:pk>/custody.csv", views.custody_export, name="custody"),
    path("<int:pk>/link", views.link_record, name="link"),
    path("<int:pk>/unlink", views.unlink_record, name="unlink"),
    path("<int:pk>/delete", views.delete_evidence, name="delete"),
]
