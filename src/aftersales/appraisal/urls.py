from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/files/", views.upload, name="upload"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/actions/<str:name>/", views.action, name="action"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("tickets/<str:number>/", views.ticket_panel, name="ticket_panel"),
    path("tickets/<str:number>/request/", views.request_new, name="request"),
]
