"""Addresses of the public intake form, the moderation queue, the map and the timeline."""

from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
intake_views = Views("aigak.publishing.intake_views")
map_views = Views("aigak.publishing.map_views")


app_name = "intake"

urlpatterns = [
    path("public/intake/<slug:questionnaire>/", intake_views.public_form, name="public-form"),
    path("intake/", intake_views.queue, name="queue"),
    path("intake/<int:pk>/", intake_views.moderate, name="moderate"),
    path("intake/forms/<slug:questionnaire>/public/", intake_views.set_public, name="set-public"),
]

urlpatterns += [
    path("public/map/", map_views.public_map, name="public-map"),
    path("public/timeline/", map_views.public_timeline, name="public-timeline"),
    path("map/", map_views.staff_map, name="map"),
    path("map/timeline/", map_views.staff_timeline, name="timeline"),
]
