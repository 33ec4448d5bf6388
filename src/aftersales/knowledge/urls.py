from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("review/", views.review_queue, name="review"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("from-ticket/<str:number>/", views.draft_from_ticket, name="from_ticket"),
    path("ticket/<str:number>/", views.ticket_panel, name="ticket_panel"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/versions/<int:number>/", views.article_revision, name="revision"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attach"),
    path("<int:pk>/solved/<str:number>/", views.mark_solved, name="solved"),
    path("<int:pk>/do/<slug:step>/", views.article_step, name="step"),
]
