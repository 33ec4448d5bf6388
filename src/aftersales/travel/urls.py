from django.urls import path

from . import views

app_name = "travel"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("claims/<int:claim_id>/decide/", views.claim_decide, name="claim_decide"),
    path("advances/<str:number>/", views.advance_detail, name="advance"),
    path("advances/<str:number>/<slug:name>/", views.advance_action, name="advance_action"),
    path("reimbursements/new/", views.reimbursement_new, name="reimbursement_new"),
    path("reimbursements/<str:number>/", views.reimbursement_detail, name="reimbursement"),
    path("reimbursements/<str:number>/<slug:name>/", views.reimbursement_action, name="reimbursement_action"),
]
