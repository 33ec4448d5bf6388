from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "aftersales.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The cached hint of active subscriptions takes a new token when a subscription changes.
        from . import subscription_cache  # noqa: F401
