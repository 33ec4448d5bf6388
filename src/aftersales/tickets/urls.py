from django.urls import path

from . import action_views, saved_view_views, views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_intake_form, name="intake"),
    path("bulk-assign/", views.ticket_bulk_assign, name="bulk_assign"),
    path("auto-assign/", views.ticket_auto_assign_now, name="auto_assign"),
    path("lookup/customer/", views.customer_lookup, name="customer_lookup"),
    path("lookup/unit/", views.unit_lookup, name="unit_lookup"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("views/", saved_view_views.saved_views_manage, name="saved_views"),
    path("views/save/", saved_view_views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/", saved_view_views.saved_view_change, name="saved_view_change"),
    path("views/<int:pk>/move/", saved_view_views.saved_view_reorder, name="saved_view_move"),
    path("views/<int:pk>/start/", saved_view_views.saved_view_start, name="saved_view_start"),
    path("views/<int:pk>/delete/", saved_view_views.saved_view_remove, name="saved_view_delete"),
    path("<str:number>/", views.ticket_detail, name="detail"),
    path("<str:number>/notes/", views.ticket_note_add, name="add_note"),
    path("<str:number>/attachments/", views.ticket_attachment_add, name="add_attachment"),
    path("<str:number>/agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("<str:number>/actions/<slug:action>/", action_views.ticket_action, name="action"),
]
