"""Addresses of the public intake form, the moderation queue, the map and the timeline."""

from django.urls import path

from aigak.publishing import intake_views

app_name = "intake"

urlpatterns = [
    path("public/intake/<slug:questionnaire>/", intake_views.public_form, name="public-form"),
    path("intake/", intake_views.queue, name="queue"),
    path("intake/<int:pk>/", intake_views.moderate, name="moderate"),
    path("intake/forms/<slug:questionnaire>/public/", intake_views.set_public, name="set-public"),
]
