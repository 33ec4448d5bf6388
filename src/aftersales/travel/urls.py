from django.urls import path

from . import trip_views, views

app_name = "travel"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("claims/<int:claim_id>/decide/", views.claim_decide, name="claim_decide"),
    path("advances/<str:number>/", views.advance_detail, name="advance"),
    path("advances/<str:number>/<slug:name>/", views.advance_action, name="advance_action"),
    path("trips/", trip_views.trip_list, name="trips"),
    path("trips/mine/", trip_views.mine, name="trips_mine"),
    path("trips/<str:number>/", trip_views.trip_detail, name="trip"),
    path("trips/<str:number>/entries/", trip_views.entry_add, name="trip_entry_add"),
    path("trips/<str:number>/entries/<int:entry_id>/remove/", trip_views.entry_remove, name="trip_entry_remove"),
    path("trips/<str:number>/<slug:name>/", trip_views.trip_action, name="trip_action"),
    path("reimbursements/new/", views.reimbursement_new, name="reimbursement_new"),
    path("reimbursements/<str:number>/", views.reimbursement_detail, name="reimbursement"),
    path("reimbursements/<str:number>/<slug:name>/", views.reimbursement_action, name="reimbursement_action"),
]
