from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from aftersales.notifications.views import set_language

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links (base.html links the SVG).
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "aftersales/favicon.svg", permanent=True)),
    path("", include("aftersales.core.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("tickets/", include("aftersales.tickets.urls")),
    path("tickets/", include("aftersales.casefile.urls")),  # /tickets/<number>/case-file.pdf
    path("feedback/", include("aftersales.feedback.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("fieldservice/", include("aftersales.fieldservice.urls")),
    path("webhooks/", include("aftersales.webhooks.urls")),
    path("mailin/", include("aftersales.mailin.urls")),
    path("api/", include("aftersales.api.urls")),
    path("parts/", include("aftersales.parts.urls")),
    path("dashboard/", include("aftersales.analytics.urls")),
    path("desk/", include("aftersales.desk.urls")),
    path("appraisal/", include("aftersales.appraisal.urls")),
    path("remedies/", include("aftersales.remedies.urls")),
    path("returns/", include("aftersales.returns.urls")),
    path("compensation/", include("aftersales.compensation.urls")),
    path("outlets/", include("aftersales.outlets.urls")),
    path("travel/", include("aftersales.travel.urls")),
    path("billing/", include("aftersales.billing.urls")),
    path("crisis/", include("aftersales.crisis.urls")),
    path("knowledge/", include("aftersales.knowledge.urls")),
    path("privacy/", include("aftersales.privacy.urls")),
    path("revisits/", include("aftersales.revisits.urls")),
    path("quality/", include("aftersales.quality.urls")),
    path("imports/", include("aftersales.imports.urls")),
    path("exports/", include("aftersales.exports.urls")),
    path("reports/", include("aftersales.reports.urls")),
    path("triage/", include("aftersales.triage.urls")),
    path("sla/", include("aftersales.sla.urls")),
    path("", include("aftersales.notifications.short_urls")),  # /s/<code>: short links in SMS (docs/notifications.md)
    # The language switch (Django's, which also sets the language of the person's messages)
    # before Django's own URL of the same name and path.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
handler500 = "aftersales.core.unavailable.server_error"
