from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("t/<str:token>/", views.ticket_by_link, name="ticket_by_link"),
]
