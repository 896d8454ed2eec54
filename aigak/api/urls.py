"""Mounted at /api/v1/ by aigak.site.urls (resumable uploads keep /api/v1/uploads/).

The views load with the first API request (aigak.lib.lazy.View), and with them Django REST
framework and drf-spectacular: the URL table, which every page needs, loads without them.
"""

from django.urls import path, re_path

from aigak.lib.lazy import View
from aigak.records.urls import RecordIdConverter  # noqa: F401 - registers record_id

app_name = "api"

RECORD = "records/<slug:questionnaire>/<record_id:record_id>/"

urlpatterns = [
    path("schema/", View("drf_spectacular.views", "SpectacularAPIView"), name="schema"),
    # The doc pages: their own templates, scripts from this server only (see them).
    path(
        "docs/",
        View(
            "drf_spectacular.views",
            "SpectacularSwaggerSplitView",
            url_name="api:schema",
            template_name="api/swagger_ui.html",
        ),
        name="docs",
    ),
    path(
        "redoc/",
        View(
            "drf_spectacular.views",
            "SpectacularRedocView",
            url_name="api:schema",
            template_name="api/redoc.html",
        ),
        name="redoc",
    ),
    path(
        "questionnaires/",
        View("aigak.api.views_history", "QuestionnaireList"),
        name="questionnaires",
    ),
    path(
        "questionnaires/<slug:questionnaire>/",
        View("aigak.api.views_history", "QuestionnaireDetail"),
        name="questionnaire",
    ),
    path(
        "records/<slug:questionnaire>/",
        View("aigak.api.views_records", "RecordList"),
        name="records",
    ),
    path(RECORD, View("aigak.api.views_records", "RecordDetail"), name="record"),
    path(RECORD + "versions/", View("aigak.api.views_history", "VersionList"), name="versions"),
    path(
        RECORD + "versions/<int:number>/",
        View("aigak.api.views_history", "VersionDetail"),
        name="version",
    ),
    path(
        RECORD + "versions/<int:number>/diff/",
        View("aigak.api.views_history", "VersionDiff"),
        name="diff",
    ),
    path("persons/<int:pk>/", View("aigak.api.views_more", "PersonDetail"), name="person"),
    path("evidence/", View("aigak.api.views_more", "EvidenceList"), name="evidence-list"),
    path("evidence/<int:pk>/", View("aigak.api.views_more", "EvidenceDetail"), name="evidence"),
    path(
        "evidence/<int:pk>/file", View("aigak.api.views_more", "EvidenceFile"), name="evidence-file"
    ),
    path("victim-lists/", View("aigak.api.views_more", "VictimLists"), name="victim-lists"),
    path(
        "victim-lists/<int:pk>/",
        View("aigak.api.views_more", "VictimListDetail"),
        name="victim-list",
    ),
    path("matches/<int:pk>/", View("aigak.api.views_more", "MatchDetail"), name="match"),
    path("reports/", View("aigak.api.views_more", "ReportList"), name="reports"),
    path("reports/<slug:name>/", View("aigak.api.views_more", "ReportDetail"), name="report"),
    path("estimates/", View("aigak.api.views_more", "EstimateList"), name="estimates"),
    path("estimates/<str:key>/", View("aigak.api.views_more", "EstimateDetail"), name="estimate"),
    # Anything else under /api/v1/: a problem, not the site's HTML page.
    re_path(r"^", View("aigak.api.problems", "not_found", class_based=False)),
]
