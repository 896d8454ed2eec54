from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
person_page = Views("aigak.linkage.person_page")
views = Views("aigak.linkage.views")


app_name = "linkage"

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/new/", views.upload, name="upload"),
    path("lists/new/<str:token>/", views.mapping, name="mapping"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/cross-reference/", views.cross_reference, name="cross_reference"),
    path("lists/<int:pk>/review/", views.review_queue, name="review"),
    path("lists/<int:pk>/overlap/", views.overlap_page, name="overlap"),
    path("lists/<int:pk>/overlap/<slug:part>.csv", views.overlap_csv, name="overlap_csv"),
    path("matches/<int:pk>/", views.match_detail, name="match"),
    path("matches/<int:pk>/decide/", views.decide, name="decide"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/run/", views.run_dedupe, name="run_dedupe"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("merges/", views.merges, name="merges"),
    path("persons/<int:pk>/", person_page.person_detail, name="person"),
    path("merges/<int:pk>/undo/", views.undo_merge, name="undo_merge"),
    path("capture-histories.csv", views.histories_csv, name="histories_csv"),
]
