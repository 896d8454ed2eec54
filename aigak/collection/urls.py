"""`/openrosa/key/<token>/...` and `/openrosa/...` (the same endpoints), and the
coordinators' collection pages under `/collection/`."""

from django.urls import include, path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
pages = Views("aigak.collection.pages")
views = Views("aigak.collection.views")
web_forms = Views("aigak.collection.web_forms")


openrosa_patterns = [
    path("formList", views.form_list, name="form-list"),
    path("forms/<slug:name>/form.xml", views.form_xml, name="form"),
    path("forms/<slug:name>/manifest", views.manifest, name="manifest"),
    path("forms/<slug:name>/media/<str:filename>", views.media, name="media"),
    path("submission", views.submission, name="submission"),
]

coordinator_patterns = [
    path("", pages.home, name="home"),
    path("users/<int:pk>/", pages.user_page, name="user"),
    path("submissions/<int:pk>/", pages.submission_page, name="submission"),
    path("decrypt/", pages.decrypt_page, name="decrypt"),
    path("forms/<slug:name>/media/", pages.media_page, name="media"),
]

urlpatterns = [
    path("collection/", include((coordinator_patterns, "collection"))),
    path("openrosa/key/<str:token>/", include((openrosa_patterns, "openrosa"), "openrosa-key")),
    path("openrosa/", include((openrosa_patterns, "openrosa"), "openrosa")),
    path("collect/web/<slug:questionnaire>/", web_forms.web_form, name="web-form"),
]
