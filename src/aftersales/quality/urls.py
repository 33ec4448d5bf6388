from django.urls import path

from . import acceptance_views, views

app_name = "quality"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("tickets/", views.fault_tickets, name="tickets"),
    path("rates/", views.fault_rates, name="rates"),
    path("first-time-fix/", views.first_time_fix, name="ftf"),
    path("actions/", views.action_list, name="actions"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/move/", views.action_move, name="action_move"),
    path("actions/<int:pk>/check/", views.action_check, name="action_check"),
    path("changes/", views.change_archive, name="archive"),
    path("acceptance/", acceptance_views.acceptance_worklist, name="acceptance"),
    path("acceptance/ticket/<str:ticket_number>/", acceptance_views.ticket_acceptance_panel, name="acceptance_panel"),
]
