from django.urls import path

from . import views

app_name = "mailin"
urlpatterns = [
    path("raw/", views.receive_raw, name="raw"),
    path("held/", views.held_queue, name="held"),
    path("held/<int:message_id>/", views.held_detail, name="detail"),
]
