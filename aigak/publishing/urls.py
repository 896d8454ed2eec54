"""The public pages under /public/ (no login)."""

from django.urls import path

from aigak.publishing import views_public

app_name = "publishing"

urlpatterns = [
    path("", views_public.memorial_list, name="memorial"),
    path("victims/<str:public_id>/", views_public.person, name="person"),
    path("victims/<str:public_id>/photo/", views_public.photo, name="photo"),
    path("statistics/", views_public.statistics, name="statistics"),
]
