from django.urls import path

from . import views

app_name = "parts"

urlpatterns = [
    path("", views.stock_list, name="stock"),
    path("low-stock/", views.low_stock, name="low_stock"),
    path("receive/", views.stock_receive, name="receive"),
    path("van/", views.my_van, name="van"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("ledger/", views.ledger, name="ledger"),
    path("requisitions/", views.requisition_list, name="requisitions"),
    path("requisitions/<int:pk>/", views.requisition_detail, name="requisition"),
    path("requisitions/<int:pk>/<slug:action>/", views.requisition_action, name="requisition_action"),
    path("returns/", views.return_list, name="returns"),
    path("returns/<int:pk>/receive/", views.return_receive, name="return_receive"),
    path("faulty/", views.faulty_list, name="faulty"),
    path("faulty/<int:pk>/appraise/", views.faulty_appraise, name="faulty_appraise"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("work-orders/<int:work_order_id>/", views.panel, name="panel"),
    path("work-orders/<int:work_order_id>/request/", views.panel_request, name="panel_request"),
    path("work-orders/<int:work_order_id>/use/", views.panel_use, name="panel_use"),
    path("work-orders/<int:work_order_id>/return/", views.panel_return, name="panel_return"),
]
