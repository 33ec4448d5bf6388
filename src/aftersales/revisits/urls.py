from django.urls import path

from . import views

app_name = "revisits"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("compliance/", views.compliance, name="compliance"),
    path("customer/<int:customer_id>/", views.customer_history, name="customer"),
    path("customer/<int:customer_id>/card/", views.customer_card, name="customer_card"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
