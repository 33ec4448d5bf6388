from django.urls import path

from . import views

app_name = "outlets"
urlpatterns = [
    path("", views.outlet_list, name="list"),
    path("new/", views.outlet_new, name="new"),
    path("settlements/", views.settlement_list, name="settlements"),
    path("settlements/<str:number>/", views.settlement_detail, name="settlement"),
    path("settlements/<str:number>/<slug:name>/", views.settlement_action, name="settlement_action"),
    path("<slug:code>/", views.outlet_detail, name="detail"),
    path("<slug:code>/edit/", views.outlet_edit, name="edit"),
    path("<slug:code>/settlements/new/", views.settlement_new, name="settlement_new"),
]
