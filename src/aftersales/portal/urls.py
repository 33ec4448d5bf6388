from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:number>/received/", views.request_received, name="request_received"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/agreement/", views.ticket_answer_plan, name="answer_plan"),
    path("tickets/<str:number>/agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("t/<str:token>/", views.ticket_by_link, name="ticket_by_link"),
    path("t/<str:token>/agreement/", views.ticket_by_link_answer_plan, name="answer_plan_by_link"),
]
