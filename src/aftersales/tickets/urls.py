from django.urls import path

from . import action_views, views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_intake_form, name="intake"),
    path("bulk-assign/", views.ticket_bulk_assign, name="bulk_assign"),
    path("auto-assign/", views.ticket_auto_assign_now, name="auto_assign"),
    path("lookup/customer/", views.customer_lookup, name="customer_lookup"),
    path("lookup/unit/", views.unit_lookup, name="unit_lookup"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<str:number>/", views.ticket_detail, name="detail"),
    path("<str:number>/notes/", views.ticket_note_add, name="add_note"),
    path("<str:number>/attachments/", views.ticket_attachment_add, name="add_attachment"),
    path("<str:number>/agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("<str:number>/actions/<slug:action>/", action_views.ticket_action, name="action"),
]
