from django.urls import path

from . import views

app_name = "compensation"
urlpatterns = [
    path("", views.queues, name="queues"),
    path("ticket/<str:number>/", views.ticket_panel, name="ticket_panel"),
    path("ticket/<str:number>/refund/new/", views.refund_new, name="refund_new"),
    path("ticket/<str:number>/refund/preview/", views.refund_preview, name="refund_preview"),
    path("ticket/<str:number>/compensation/new/", views.compensation_new, name="compensation_new"),
    path("refund/<str:number>/", views.refund_detail, name="refund"),
    path("refund/<str:number>/<slug:step>/", views.refund_step, name="refund_step"),
    path("c/<str:number>/", views.compensation_detail, name="compensation"),
    path("c/<str:number>/<slug:step>/", views.compensation_step, name="compensation_step"),
    path("customer/<int:customer_id>/", views.customer_history, name="customer"),
]
