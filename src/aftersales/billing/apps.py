from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "aftersales.billing"
    label = "billing"
    verbose_name = _("Customer charges and invoices")
    # Receivables on API v1 (billing/api.py): api/api.py mounts the router named here when it
    # builds API v1, as it mounts every app's ``api_router`` (the API never imports this app).
    api_router = "aftersales.billing.api.router"
