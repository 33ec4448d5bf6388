from django.urls import path

from . import views

app_name = "crisis"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.crisis_new, name="new"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/confirm/", views.alert_confirm, name="alert_confirm"),
    path("alerts/<int:alert_id>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("<int:crisis_id>/", views.crisis_detail, name="detail"),
    path("<int:crisis_id>/<str:step>/", views.crisis_step, name="step"),
]
