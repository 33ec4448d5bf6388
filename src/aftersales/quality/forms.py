"""The quality pages' forms: the statistics filters, the improvement action editor, the moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import Region, User
from aftersales.catalog.models import ProductCategory, ProductModel

from .effect import MAX_WINDOW, default_window
from .models import ActionOrigin, ActionOutcome, ActionStatus, ChangeKind
from .scope import register_factories, register_suppliers
from .services import ActionInput
from .statistics import StatFilters

DATE = forms.DateInput(attrs={"type": "date"})


class FilterForm(forms.Form):
    since = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE)
    until = forms.DateField(label=pgettext_lazy("date range", "Until"), required=False, widget=DATE)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("code"), required=False)
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=ProductCategory.objects.order_by("code"), required=False
    )
    model = forms.ModelChoiceField(label=_("Product model"), queryset=ProductModel.objects.order_by("code"), required=False)

    def filters(self) -> StatFilters:
        if not self.is_valid():
            return StatFilters()
        c = self.cleaned_data
        return StatFilters(
            since=c["since"],
            until=c["until"],
            region_id=c["region"].pk if c["region"] else None,
            category_id=c["category"].pk if c["category"] else None,
            model_id=c["model"].pk if c["model"] else None,
        )


def _text(label: Any, rows: int = 2, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    problem = _text(_("Problem statement"), rows=4)
    origin = forms.ChoiceField(label=_("Raised from"), choices=ActionOrigin.choices, required=False)
    origin_reference = forms.CharField(label=_("Origin reference"), max_length=64, required=False)
    origin_ticket = forms.CharField(label=_("Origin ticket number"), max_length=32, required=False)
    product_model = forms.ModelChoiceField(
        label=_("Product model"), queryset=ProductModel.objects.order_by("code"), required=False
    )
    batch = forms.CharField(label=_("Batch / lot"), max_length=64, required=False)
    component = forms.CharField(
        label=_("Component"),
        max_length=128,
        required=False,
        help_text=_("With a supplier: the component of the production register the supplier changed."),
    )
    factory = forms.ChoiceField(label=_("Factory"), required=False, help_text=_("From the production register."))
    supplier = forms.ChoiceField(label=_("Component supplier"), required=False, help_text=_("From the production register."))
    why1 = _text(_("Why 1"))
    why2 = _text(_("Why 2"))
    why3 = _text(_("Why 3"))
    why4 = _text(_("Why 4"))
    why5 = _text(_("Why 5"))
    root_cause = _text(_("Root cause"), rows=3)
    fishbone_man = _text(_("Man"))
    fishbone_machine = _text(_("Machine"))
    fishbone_material = _text(_("Material"))
    fishbone_method = _text(_("Method"))
    fishbone_measurement = _text(_("Measurement"))
    fishbone_environment = _text(_("Environment"))
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).exclude(role="customer").order_by("username"),
        required=False,
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    change_kind = forms.ChoiceField(label=_("Change made"), choices=[("", "—"), *ChangeKind.choices], required=False)
    change_reason = _text(_("Reason for the change"))
    change_content = _text(_("What was changed"), rows=3)
    effective_date = forms.DateField(label=_("Effective from"), required=False, widget=DATE)
    first_batch = forms.CharField(label=_("First batch affected"), max_length=64, required=False)
    effect_window_months = forms.IntegerField(
        label=_("Observation window (months in the field)"), required=False, min_value=1, max_value=MAX_WINDOW
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scope's choices are the production register's values (and the action's own, should
        # the register have changed since).
        for name, values in (("factory", register_factories()), ("supplier", register_suppliers())):
            current = str(self.initial.get(name) or (self.data.get(name) if self.is_bound else "") or "")
            if current and current not in values:
                values = [*values, current]
            self.fields[name].choices = [("", "—"), *((v, v) for v in values)]  # type: ignore[attr-defined]
        window = self.fields["effect_window_months"]
        window.help_text = _("Faults within this many months in the field count, on both sides. Empty: %(months)d.") % {
            "months": default_window()
        }

        if not creating:
            for name in ("origin", "origin_reference", "origin_ticket"):
                del self.fields[name]

    def action_input(self) -> ActionInput:
        c = self.cleaned_data
        return ActionInput(
            title=c["title"],
            problem=c["problem"],
            product_model_id=c["product_model"].pk if c["product_model"] else None,
            batch=c["batch"],
            component=c["component"],
            factory=c["factory"],
            supplier=c["supplier"],
            **{f"why{i}": c[f"why{i}"] for i in range(1, 6)},
            root_cause=c["root_cause"],
            **{name: c[name] for name in c if name.startswith("fishbone_")},
            owner_id=c["owner"].pk if c["owner"] else None,
            due_date=c["due_date"],
            change_kind=c["change_kind"],
            change_reason=c["change_reason"],
            change_content=c["change_content"],
            effective_date=c["effective_date"],
            first_batch=c["first_batch"],
            effect_window_months=c["effect_window_months"],
        )


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=ActionStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *ActionOutcome.choices], required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FtfForm(forms.Form):
    since = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE)
    until = forms.DateField(label=pgettext_lazy("date range", "Until"), required=False, widget=DATE)

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data["since"], self.cleaned_data["until"]
