from django.urls import path

from aigak.questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/<str:digest>/", views.preview, name="preview"),
    path("<slug:name>/", views.detail, name="detail"),
    path("<slug:name>/versions/<int:pk>/<str:kind>", views.download, name="download"),
]
