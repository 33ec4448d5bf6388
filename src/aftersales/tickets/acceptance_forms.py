"""The actions panel's forms of the quality manager's acceptance (``actions_acceptance``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .action_forms import ActionForm, reason_field


class AcceptResultForm(ActionForm):
    title = _("Quality acceptance")
    submit_label = _("Accept the result and archive")
    comment = reason_field(pgettext_lazy("acceptance", "Comment"), required=False)


class ReturnForReworkForm(ActionForm):
    title = _("Send back for rework")
    submit_label = _("Send back for rework")
    reason = reason_field(_("What must be done again"))
