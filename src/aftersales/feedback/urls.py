from django.urls import path

from . import settings_views, views

app_name = "feedback"
urlpatterns = [
    path("settings/", settings_views.settings_page, name="settings"),
    path("<str:token>/", views.survey, name="survey"),
]
