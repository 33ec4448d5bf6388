from django.urls import path

from . import chargeback_views, kpi_views, management_views, views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpis/", kpi_views.kpis, name="kpis"),
    path("tickets/", kpi_views.drill, name="drill"),
    path("management/", management_views.management, name="management"),
    path("chargeback/", chargeback_views.parties, name="chargeback"),
    path("chargeback/statement/", chargeback_views.statement, name="chargeback_statement"),
]
