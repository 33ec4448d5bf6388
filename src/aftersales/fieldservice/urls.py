from django.urls import path

from . import knowledge_views, views

app_name = "fieldservice"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("my/", views.my_jobs, name="my_jobs"),
    path("ticket/<str:number>/new/", views.work_order_new, name="new"),
    path("wo/<str:number>/", views.work_order_detail, name="detail"),
    path("wo/<str:number>/do/<slug:action>/", views.work_order_action, name="action"),
    path("wo/<str:number>/acceptance/", views.acceptance_form, name="acceptance"),
    path("wo/<str:number>/acceptance.pdf", views.acceptance_form_pdf, name="acceptance_pdf"),
    path("wo/<str:number>/signature.png", views.signature_image, name="signature"),
    path("wo/<str:number>/knowledge/", knowledge_views.panel, name="knowledge_panel"),
    path("wo/<str:number>/knowledge/<int:pk>/solved/", knowledge_views.mark_solved, name="knowledge_solved"),
    path("file/<int:pk>/", views.file_download, name="file"),
    path("quote/<str:token>/", views.quote_by_link, name="quote_by_link"),
]
