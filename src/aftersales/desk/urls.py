from django.urls import path

from . import customer_views, views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("today/", views.today, name="today"),
    path("warehouse/", views.warehouse, name="warehouse"),
    path("team/", views.team, name="team"),
    # The staff's customer pages (docs/customers.md).
    path("customers/", customer_views.customer_list, name="customers"),
    path("customers/new/", customer_views.customer_new, name="customer_new"),
    path("customers/<int:customer_id>/", customer_views.customer_detail, name="customer"),
    path("customers/<int:customer_id>/edit/", customer_views.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/addresses/", customer_views.address_add, name="customer_address_add"),
    path("customers/<int:customer_id>/addresses/<int:address_id>/", customer_views.address_edit, name="customer_address_edit"),
    path(
        "customers/<int:customer_id>/addresses/<int:address_id>/remove/",
        customer_views.address_remove,
        name="customer_address_remove",
    ),
]
