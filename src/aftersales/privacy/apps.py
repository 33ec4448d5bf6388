from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "aftersales.privacy"
    label = "privacy"
    verbose_name = _("Personal data (PIPL)")
    # The customer's personal data requests on API v1 (privacy/api.py). The privacy app sits above
    # the API in the layer order, so the API does not import it: api/api.py mounts the router named
    # here when it builds API v1 (the first URL resolved), as it mounts every app's ``api_router``.
    api_router = "aftersales.privacy.api.router"
