from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
summary_views = Views("aigak.reports.summary_views")
views = Views("aigak.reports.views")


app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("summary/<slug:name>/", summary_views.summary_page, name="summary"),
    path(
        "summary/<slug:name>/download/<slug:fmt>/",
        summary_views.summary_download,
        name="summary_download",
    ),
    path("<slug:name>/", views.report_page, name="report"),
    path("<slug:name>/download/<slug:fmt>/", views.report_download, name="download"),
    path("<slug:name>/chart/<slug:table_id>.png", views.report_chart, name="chart"),
]
