from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.receivable_list, name="list"),
    path("<str:number>/", views.receivable_detail, name="receivable"),
    path("<str:number>/collect/", views.collect, name="collect"),
    path("<str:number>/payments/<int:payment_id>/<slug:decision>/", views.payment_decide, name="payment_decide"),
    path("<str:number>/<slug:name>/", views.receivable_action, name="action"),
]
