from django.urls import path

from aigak.estimation import views

app_name = "estimation"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<str:key>/", views.run_detail, name="run"),
]
