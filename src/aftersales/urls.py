from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("aftersales.core.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("tickets/", include("aftersales.tickets.urls")),
    path("feedback/", include("aftersales.feedback.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("fieldservice/", include("aftersales.fieldservice.urls")),
    path("webhooks/", include("aftersales.webhooks.urls")),
    path("mailin/", include("aftersales.mailin.urls")),
    path("api/", include("aftersales.api.urls")),
    path("parts/", include("aftersales.parts.urls")),
    path("dashboard/", include("aftersales.analytics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
