"""Mounted at /api/v1/ by aigak.site.urls (resumable uploads keep /api/v1/uploads/)."""

from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from aigak.api import problems, views_history, views_more, views_records
from aigak.records.urls import RecordIdConverter  # noqa: F401 - registers record_id

app_name = "api"

RECORD = "records/<slug:questionnaire>/<record_id:record_id>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The doc pages: their own templates, scripts from this server only (see them).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("questionnaires/", views_history.QuestionnaireList.as_view(), name="questionnaires"),
    path(
        "questionnaires/<slug:questionnaire>/",
        views_history.QuestionnaireDetail.as_view(),
        name="questionnaire",
    ),
    path("records/<slug:questionnaire>/", views_records.RecordList.as_view(), name="records"),
    path(RECORD, views_records.RecordDetail.as_view(), name="record"),
    path(RECORD + "versions/", views_history.VersionList.as_view(), name="versions"),
    path(RECORD + "versions/<int:number>/", views_history.VersionDetail.as_view(), name="version"),
    path(RECORD + "versions/<int:number>/diff/", views_history.VersionDiff.as_view(), name="diff"),
    path("persons/<int:pk>/", views_more.PersonDetail.as_view(), name="person"),
    path("evidence/", views_more.EvidenceList.as_view(), name="evidence-list"),
    path("evidence/<int:pk>/", views_more.EvidenceDetail.as_view(), name="evidence"),
    path("evidence/<int:pk>/file", views_more.EvidenceFile.as_view(), name="evidence-file"),
    path("victim-lists/", views_more.VictimLists.as_view(), name="victim-lists"),
    path("victim-lists/<int:pk>/", views_more.VictimListDetail.as_view(), name="victim-list"),
    path("matches/<int:pk>/", views_more.MatchDetail.as_view(), name="match"),
    path("reports/", views_more.ReportList.as_view(), name="reports"),
    path("reports/<slug:name>/", views_more.ReportDetail.as_view(), name="report"),
    path("estimates/", views_more.EstimateList.as_view(), name="estimates"),
    path("estimates/<str:key>/", views_more.EstimateDetail.as_view(), name="estimate"),
    # Anything else under /api/v1/: a problem, not the site's HTML page.
    re_path(r"^", problems.not_found),
]
