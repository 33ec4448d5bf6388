"""``/s/<code>``, the short links of messages, at the site's root (``short_links``):
``path("", include("aftersales.notifications.short_urls"))`` in the root URLconf."""

from django.urls import path

from . import views

app_name = "short_links"
urlpatterns = [
    path("s/<str:code>", views.short_link, name="open"),
    path("s/<str:code>/", views.short_link),  # a slash added by a messaging app
]
