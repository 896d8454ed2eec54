"""The public pages under /public/ (no login)."""

from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views_public = Views("aigak.publishing.views_public")


app_name = "publishing"

urlpatterns = [
    path("", views_public.memorial_list, name="memorial"),
    path("victims/<str:public_id>/", views_public.person, name="person"),
    path("victims/<str:public_id>/photo/", views_public.photo, name="photo"),
    path("statistics/", views_public.statistics, name="statistics"),
]
