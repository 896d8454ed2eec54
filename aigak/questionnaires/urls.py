from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views = Views("aigak.questionnaires.views")


app_name = "questionnaires"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/<str:digest>/", views.preview, name="preview"),
    path("<slug:name>/", views.detail, name="detail"),
    path("<slug:name>/versions/<int:pk>/<str:kind>", views.download, name="download"),
]
