from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views = Views("aigak.estimation.views")


app_name = "estimation"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<str:key>/", views.run_detail, name="run"),
]
