from django.urls import path

from . import appraisal_views, knowledge_views, message_views, signup_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:number>/received/", views.request_received, name="request_received"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/agreement/", views.ticket_answer_plan, name="answer_plan"),
    path("tickets/<str:number>/agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("t/<str:token>/", views.ticket_by_link, name="ticket_by_link"),
    path("t/<str:token>/agreement/", views.ticket_by_link_answer_plan, name="answer_plan_by_link"),
    # Writing to us, cancelling, our messages (message_views.py, docs/portal.md "Writing to us").
    path("tickets/<str:number>/message/", message_views.ticket_message, name="message"),
    path("tickets/<str:number>/cancel/", message_views.ticket_cancel_request, name="cancel"),
    path("t/<str:token>/message/", message_views.ticket_by_link_message, name="message_by_link"),
    path("t/<str:token>/cancel/", message_views.ticket_by_link_cancel, name="cancel_by_link"),
    path("messages/", message_views.inbox, name="messages"),
    path("messages/read/", message_views.inbox_mark_read, name="messages_mark_read"),
    path("appraisal/<str:token>/", appraisal_views.appraisal_by_link, name="appraisal_by_link"),
    path("appraisal/<str:token>/report.pdf", appraisal_views.appraisal_pdf_by_link, name="appraisal_pdf_by_link"),
    path("appraisals/<int:pk>/", appraisal_views.appraisal_detail, name="appraisal"),
    path("appraisals/<int:pk>/report.pdf", appraisal_views.appraisal_pdf_own, name="appraisal_pdf"),
    path("knowledge/", knowledge_views.knowledge_list, name="knowledge"),
    path("knowledge/<int:pk>/", knowledge_views.knowledge_detail, name="knowledge_detail"),
    # Getting an account and signing in by SMS code (signup_views.py, docs/portal.md).
    path("signup/", signup_views.signup, name="signup"),
    path("signup/code/", signup_views.signup_code, name="signup_code"),
    path("signup/details/", signup_views.signup_details, name="signup_details"),
    path("signin/code/", signup_views.code_sign_in, name="code_sign_in"),
    path("signin/code/verify/", signup_views.code_sign_in_verify, name="code_sign_in_verify"),
    path("invite/<str:token>/", signup_views.invite_accept, name="invite_accept"),
    path("privacy-notice/", signup_views.privacy_notice, name="privacy_notice"),
]
