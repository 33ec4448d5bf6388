from django.urls import path

from . import views

app_name = "remedies"
urlpatterns = [
    path("tickets/<str:number>/decide/", views.decide, name="decide"),
]
