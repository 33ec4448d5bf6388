from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/<int:pk>/<int:year>/", views.calendar_year, name="calendar_year"),
    path("calendars/<int:pk>/<int:year>/notice/", views.calendar_notice, name="calendar_notice"),
    path("calendars/<int:pk>/days/", views.calendar_day, name="calendar_day"),
    path("calendars/<int:pk>/days/<str:date>/remove/", views.calendar_day_remove, name="calendar_day_remove"),
]
