"""The plan form of the actions panel (declared with ``propose_plan`` in ``tickets.actions``):
the diagnosis, the assessment (方案评估: what the customer expects, the relationship, word of
mouth, the company's fault, whether the demand is reasonable — with the seed's advice for it) and
the measures, any number up to ``MAX_MEASURES``, each with an owner offered as "name · role ·
team" from the people who may own it, and what the customer pays when the warranty does not cover
the work."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.view_errors import add_service_errors
from aftersales.customers.models import CustomerTier

from .action_forms import ActionForm, reason_field, staff_owner_choices
from .choices import CompanyFault, DemandReasonableness, LongTermRelationship, RepurchaseLikelihood, WordOfMouthRisk
from .forms import DateTimeLocalInput
from .models import MeasureKind, Ticket
from .plan_assessment import (
    PLAN_ASSESSMENT_CHOICES,
    PLAN_ASSESSMENT_FIELDS,
    PLAN_ASSESSMENT_TEXT_FIELDS,
    Guidance,
    plan_assessment_guidance,
)
from .process import MAX_MEASURES, MeasureInput, plan_measure_owners, ticket_plan_warranty
from .process.assessment import ticket_current_assessment


def staff_label(user: User) -> str:
    """How a colleague is offered for a job: ``刘强 · 技术员 · 华东一组`` (name, role, team — or
    region when they have no team)."""
    parts = [str(user), str(user.get_role_display())]
    if user.team_id is not None and user.team is not None:
        parts.append(user.team.name)
    elif user.region_id is not None and user.region is not None:
        parts.append(user.region.name)
    return " · ".join(parts)


def grouped_owner_choices(owners: list[User]) -> list[Any]:
    """The owners as ``<optgroup>``s by role (in the roles' order), each ``name · role · team``."""
    order = {role.value: index for index, role in enumerate(Role)}
    groups: dict[str, list[tuple[int, str]]] = {}
    for user in sorted(owners, key=lambda u: (order.get(u.role, 99), str(u))):
        groups.setdefault(str(user.get_role_display()), []).append((user.pk, staff_label(user)))
    return [("", _("Nobody yet")), *groups.items()]


class MeasureForm(forms.Form):
    """One measure row of the plan form (rows are added and removed on the page)."""

    kind = forms.ChoiceField(label=_("Measure"), required=False, choices=[("", "—"), *MeasureKind.choices])
    owner = staff_owner_choices()
    deadline = forms.DateTimeField(label=_("Deadline"), required=False, widget=DateTimeLocalInput)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=12, decimal_places=2)
    customer_charge = forms.DecimalField(
        label=_("Customer pays (estimate)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: free of charge."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=20000)

    def __init__(
        self,
        *args: Any,
        owners: QuerySet[User] | None = None,
        owner_choices: list[Any] | None = None,
        charge_help: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        if owners is not None:
            field.queryset = owners
        if owner_choices is not None:
            field.choices = owner_choices
        if charge_help is not None:
            self.fields["customer_charge"].help_text = charge_help

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [name for name in ("owner", "deadline", "amount", "customer_charge", "description") if data.get(name)]
        if not data.get("kind") and filled:
            self.add_error("kind", _("Choose the measure, or remove this row."))
        return data


def _assessment_choice(label: Any, choices: type[models.TextChoices], help_text: Any) -> forms.TypedChoiceField:
    # Not required: a value left out keeps the replaced plan's (the service's rule, as in the API).
    return forms.TypedChoiceField(label=label, choices=choices.choices, required=False, empty_value=None, help_text=help_text)


MeasureFormSet = forms.formset_factory(MeasureForm, extra=1, max_num=MAX_MEASURES, absolute_max=MAX_MEASURES, validate_max=True)


class ProposePlanForm(ActionForm):
    """The plan and its measures (a formset; a row without a measure kind is left out)."""

    title = _("Propose a plan")
    submit_label = _("Save the plan")
    diagnosis = reason_field(_("Diagnosis"), rows=3)
    expected_completion_at = forms.DateTimeField(label=_("Expected completion"), required=False, widget=DateTimeLocalInput)
    cost_budget = forms.DecimalField(
        label=_("Cost budget"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: the sum of the measures' amounts."),
    )
    requires_signed_agreement = forms.BooleanField(label=_("Signed agreement required"), required=False)
    # The assessment (方案评估, seed [004] §3 "互相协商"), shown in its own fieldset with its advice.
    customer_expectation = reason_field(_("What the customer expects"), required=False)
    customer_expectation.help_text = _(
        "Besides compensation, what does the customer ask for (a dealer: promotion, help with a new shop …)?"
    )
    long_term_relationship = _assessment_choice(
        _("Long-term relationship"), LongTermRelationship, _("Does the company have a long-term business relationship with them?")
    )
    repurchase_likelihood = _assessment_choice(
        _("Chance of buying again"), RepurchaseLikelihood, _("Once the problem is solved, will the customer buy from us again?")
    )
    word_of_mouth_risk = _assessment_choice(
        _("Word-of-mouth risk"), WordOfMouthRisk, _("How far could the outcome be talked about, for good or ill?")
    )
    demand_reasonableness = _assessment_choice(
        _("Is the demand reasonable?"), DemandReasonableness, _("Is it unreasonable, excessive or without factual basis?")
    )
    company_fault = _assessment_choice(_("Company's fault"), CompanyFault, _("Is the company at fault, and how far?"))
    assessment_note = reason_field(_("Assessment note"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # A revised plan starts from the current plan's assessment.
            self.initial.update(_assessment_initial(self.ticket))
        # What the charges follow (shown above the measures) and who may own a measure: one
        # query for the owners of every row (and the blank row the page copies), not one per row.
        self.warranty = ticket_plan_warranty(ticket=self.ticket)
        owners = plan_measure_owners(ticket=self.ticket)
        self.chargeable = not self.warranty.covers_repair
        charge_help = (
            _(
                "Required for on-site, depot and remote work: the warranty does not cover it. The work order "
                "cannot charge more unless the customer confirms a new quote."
            )
            if self.chargeable
            else _("Empty: free of charge.")
        )
        self.measures = MeasureFormSet(
            self.data if self.is_bound else None,
            prefix="measures",
            auto_id=f"id_{self.action}_%s",
            form_kwargs={"owners": owners, "owner_choices": grouped_owner_choices(list(owners)), "charge_help": charge_help},
        )

    def visible_fields(self) -> list[forms.BoundField]:
        """The plan's own fields; the assessment has its fieldset (``assessment_fields``)."""
        return [field for field in super().visible_fields() if field.name not in PLAN_ASSESSMENT_FIELDS]

    def assessment_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PLAN_ASSESSMENT_FIELDS]

    def assessment_guidance(self) -> tuple[Guidance, ...]:
        """The seed's advice for the assessment as the form holds it (typed in, or carried over)."""
        values = {}
        for name, vocabulary in PLAN_ASSESSMENT_CHOICES.items():
            value = self[name].value()
            values[name] = value if value in vocabulary.values else "unknown"
        return plan_assessment_guidance(**values)

    def _rows(self) -> list[forms.Form]:
        """The filled rows (with a measure), in the order the service numbers them."""
        return [form for form in self.measures.forms if (getattr(form, "cleaned_data", None) or {}).get("kind")]

    def is_valid(self) -> bool:
        valid_measures = self.measures.is_valid()
        return super().is_valid() and valid_measures

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        for name in PLAN_ASSESSMENT_TEXT_FIELDS:
            if name not in self.data:  # not sent (an older page): keep the replaced plan's text
                data[name] = None
        data["measures"] = [
            MeasureInput(
                kind=row["kind"],
                description=row.get("description") or "",
                owner=row.get("owner"),
                deadline=row.get("deadline"),
                amount=row.get("amount") or Decimal("0"),
                customer_charge=row.get("customer_charge") or Decimal("0"),
            )
            for row in (form.cleaned_data for form in self._rows())
        ]
        return data

    def show_service_error(self, exc: DomainError) -> None:
        # "measures.0.amount" belongs to the first filled row of the formset.
        errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "": [exc.message]}
        filled = self._rows()
        for name, messages in errors.items():
            parts = name.split(".")
            if parts[0] == "measures" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
                target = filled[int(parts[1])]
                for message in messages:
                    target.add_error(parts[2] if parts[2] in target.fields else None, message)
            else:
                add_service_errors(self, ValidationFailed({name: messages}))


def _assessment_initial(ticket: Ticket) -> dict[str, Any]:
    """What the assessment fields start from: the current plan's assessment (a revised plan
    keeps what was weighed); before the first plan, a key or long-term customer (their tier) is
    a long-term relationship, the rest not assessed."""
    current = ticket_current_assessment(ticket=ticket)
    if current is not None:
        return current
    long_term = ticket.customer.tier in {CustomerTier.KEY, CustomerTier.LONG_TERM}
    return {"long_term_relationship": LongTermRelationship.YES if long_term else LongTermRelationship.UNKNOWN}
