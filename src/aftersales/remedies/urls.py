from django.urls import path

from . import views

app_name = "remedies"
urlpatterns = [
    path("tickets/<str:number>/", views.ticket_panel, name="ticket_panel"),
    path("tickets/<str:number>/decide/", views.decide, name="decide"),
]
