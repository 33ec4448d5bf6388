from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_new, name="new"),
    path("<int:subscription_id>/edit/", views.subscription_edit, name="edit"),
    path("<int:subscription_id>/<slug:action>/", views.subscription_action, name="action"),
]
