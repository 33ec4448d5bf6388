from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("reveals/", views.reveals_log, name="reveals"),
    path("reveal/<str:number>/<slug:field>/", views.reveal, name="reveal"),
    path("reveal-work-order/<str:number>/<slug:field>/", views.reveal_work_order, name="reveal_work_order"),
    path("mine/", views.my_data, name="mine"),
    path("mine/consents/", views.my_consents, name="mine_consents"),
    path("mine/<int:pk>/cancel/", views.my_data_cancel, name="mine_cancel"),
    path("mine/<str:kind>/", views.my_data_request, name="mine_request"),
]
