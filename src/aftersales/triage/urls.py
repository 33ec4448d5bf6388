from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("ticket/<str:number>/", views.panel, name="panel"),
    path("ticket/<str:number>/feedback/", views.feedback, name="feedback"),
]
