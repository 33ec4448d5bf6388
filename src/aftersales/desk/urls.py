from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("today/", views.today, name="today"),
    path("warehouse/", views.warehouse, name="warehouse"),
    path("team/", views.team, name="team"),
]
