from django.urls import path

from . import appraisal_views, knowledge_views, views

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
    path("appraisal/<str:token>/", appraisal_views.appraisal_by_link, name="appraisal_by_link"),
    path("appraisal/<str:token>/report.pdf", appraisal_views.appraisal_pdf_by_link, name="appraisal_pdf_by_link"),
    path("appraisals/<int:pk>/", appraisal_views.appraisal_detail, name="appraisal"),
    path("appraisals/<int:pk>/report.pdf", appraisal_views.appraisal_pdf_own, name="appraisal_pdf"),
    path("knowledge/", knowledge_views.knowledge_list, name="knowledge"),
    path("knowledge/<int:pk>/", knowledge_views.knowledge_detail, name="knowledge_detail"),
]
