"""The forms of the staff pages (``staff_pages.py``): the list's filters and "hand over and
deactivate". The rules are the service's (``offboarding.staff_offboard``); the form reads input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role, User
from .offboarding import REASON_LIMIT
from .selectors import StaffFilters, successor_candidates


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=64, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Every role")), *[(r.value, r.label) for r in Role if r != Role.CUSTOMER]],
    )
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("Active and inactive")), ("yes", _("Active only")), ("no", _("Inactive only"))],
    )

    def filters(self) -> StaffFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return StaffFilters(role=data.get("role", ""), active=data.get("active", ""), query=data.get("q", ""))


class SuccessorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        team = f" · {user.team}" if user.team_id else ""
        return f"{user} ({user.username}) · {user.get_role_display()}{team}"


class OffboardForm(forms.Form):
    successor = SuccessorField(
        label=_("Successor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: back to the queues"),
        help_text=_("Active staff of the same role, and supervisors. What their role may not work on goes back to its queue."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log, not shown to customers."),
    )
    confirm = forms.BooleanField(
        label=_("I understand: the account is deactivated and signed out everywhere, its work handed over at once."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args: Any, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successor_candidates(person)  # type: ignore[attr-defined]
