from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/<str:ticket_number>/", views.authorise, name="authorise"),
    path("ticket/<str:ticket_number>/", views.ticket_panel, name="ticket_panel"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/photos/<int:pk>/", views.photo, name="photo"),
    path("<str:number>/<slug:name>/", views.step, name="step"),
]
