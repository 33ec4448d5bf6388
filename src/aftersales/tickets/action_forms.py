"""Forms of the detail page's "Actions" panel: one small form per process step.

They parse input only. Field names are the process services' argument names, so a service's
``ValidationFailed`` lands next to the field it names; ``service_kwargs`` hands the parsed input
to the service. Every form carries the ticket's ``version`` as ``expected_version``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.view_errors import add_service_errors
from aftersales.parties.models import PartyKind, ResponsibleParty

from .choices import Cause, Nature, Priority, RequestType, Responsibility, Severity
from .forms import DateTimeLocalInput
from .models import AgreementMethod, MeasureStatus, PlanMeasure, Ticket, TicketCategory
from .permissions import ticket_available_actions
from .registry import ACTIONS, panel_actions
from .selectors import ticket_get_for_user, ticket_process_overview
from .selectors.assignment import assignee_options
from .selectors.when_where import missing_request_text, ticket_when_where
from .services.first_response import CustomerContact

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes(value: str) -> bool:
    return value == "yes"


def _staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("display_name", "username")


def staff_owner_choices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Owner"), required=False, queryset=_staff(), empty_label=_("Nobody yet"))


class ActionForm(forms.Form):
    """Base of every action form: the version guard, a title and the button(s) to show."""

    title: ClassVar[Any] = ""
    submit_label: ClassVar[Any] = _("Save")
    # (value, label, css class) per submit button named ``decision``; empty: one plain button.
    decisions: ClassVar[list[tuple[str, Any, str]]] = []
    multipart: ClassVar[bool] = False

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, ticket: Ticket, user: User, action: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        kwargs.setdefault("initial", {"expected_version": ticket.version})
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user
        self.action = action

    def service_kwargs(self) -> dict[str, Any]:
        """The parsed input as keyword arguments of the action's service."""
        return {name: value for name, value in self.cleaned_data.items() if name != "expected_version"}

    def show_service_error(self, exc: DomainError) -> None:
        add_service_errors(self, exc)


def reason_field(label: Any, *, required: bool = True, rows: int = 2) -> forms.CharField:
    # The services say when text is required; the star only tells people.
    field = forms.CharField(label=label, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": rows}))
    field.show_required = required  # type: ignore[attr-defined]
    return field


# --- Verification ----------------------------------------------------------------------------


class VerificationStepForm(ActionForm):
    """A verification step's form: it lists what of "when and where" the request lacks
    (``selectors.when_where``; an API or e-mail ticket may lack it), ``missing_request`` the
    request for it in the customer's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.when_where = ticket_when_where(self.ticket)
        self.missing_request = missing_request_text(self.ticket)


class StartVerificationForm(VerificationStepForm):
    title = _("Start verification")
    submit_label = _("Start verification")


class RequestInformationForm(VerificationStepForm):
    title = _("Request information")
    submit_label = _("Send the request")
    missing = reason_field(_("What is missing (sent to the customer)"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.missing_request:  # starts from the missing facts; the agent may add to it
            self.initial.setdefault("missing", self.missing_request)


class ReceiveInformationForm(ActionForm):
    title = _("Information received")
    submit_label = _("Record the information")
    note = reason_field(_("What the customer sent"), required=False)


class RecordVerificationForm(VerificationStepForm):
    title = _("Record verification")
    submit_label = _("Record verification")
    authentic = forms.TypedChoiceField(label=_("Authentic"), choices=YES_NO, coerce=_yes, initial="yes")
    complete = forms.TypedChoiceField(label=_("Complete"), choices=YES_NO, coerce=_yes, initial="yes")
    contact = forms.ChoiceField(
        label=_("Contact with the customer"),
        required=False,
        choices=[("", _("Not contacted")), *CustomerContact.choices],
        help_text=_("A call or message to the customer is the first response (the SLA clock stops)."),
    )
    missing = reason_field(_("What is missing"), required=False)
    note = reason_field(_("Note"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.missing_request:  # not complete until the facts are there
            self.initial.setdefault("complete", "no")
            self.initial.setdefault("missing", self.missing_request)


class ClassifyForm(ActionForm):
    title = _("Classify")
    submit_label = _("Save classification")
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=TicketCategory.objects.filter(active=True),
        empty_label=_("Not classified yet"),
    )
    nature = forms.ChoiceField(label=_("Nature"), required=False, choices=[("", "—"), *Nature.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", "—"), *Severity.choices])
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    safety_hazard = forms.BooleanField(label=_("Safety hazard"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            t = self.ticket
            self.initial.update(
                category=t.category_id,
                nature=t.nature,
                severity=t.severity,
                request_type=t.request_type,
                priority=t.priority,
                safety_hazard=t.safety_hazard,
            )


class ResponsibilityForm(ActionForm):
    title = _("Responsibility")
    submit_label = _("Save responsibility")
    responsibility = forms.ChoiceField(label=_("Responsibility"), required=False, choices=[("", "—"), *Responsibility.choices])
    # A register entry (its code), grouped by kind; the service checks that the kind fits the
    # responsibility (internal: a department; a third party: a supplier, logistics, an outlet).
    # A select of codes; the service also takes a name (as compared), as the API does.
    party = forms.CharField(label=_("Responsible party"), required=False, max_length=128, widget=forms.Select)
    cause = forms.ChoiceField(label=_("Probable cause"), required=False, choices=[("", "—"), *Cause.choices])
    cause_detail = reason_field(_("Cause detail"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        t = self.ticket
        choices, codes = party_choices(t.responsible_party_ref_id)
        self.fields["party"].widget.choices = choices
        self.fields["party"].help_text = _("From the register of responsible parties (administrators keep it).")
        if not self.is_bound:
            self.initial.update(
                responsibility=t.responsibility,
                party=codes.get(t.responsible_party_ref_id or 0, ""),
                cause=t.cause,
                cause_detail=t.cause_detail,
            )


def party_choices(current_id: int | None = None) -> tuple[list[Any], dict[int, str]]:
    """The register's active parties grouped by kind (and the ticket's own even when inactive),
    and the code of each by id; one query."""
    parties = ResponsibleParty.objects.filter(Q(active=True) | Q(pk=current_id or 0)).order_by("kind", "name")
    labels = dict(PartyKind.choices)
    groups: dict[str, list[tuple[str, str]]] = {}
    codes: dict[int, str] = {}
    for p in parties:
        groups.setdefault(p.kind, []).append((p.code, p.label))
        codes[p.pk] = p.code
    return [("", "—"), *((labels[kind], options) for kind, options in groups.items())], codes


class RejectForm(ActionForm):
    title = _("Reject")
    submit_label = _("Reject the request")
    reason = reason_field(_("Reason (sent to the customer)"))


class CancelForm(ActionForm):
    title = _("Cancel")
    submit_label = _("Cancel the ticket")
    reason = reason_field(_("Reason"))


class MergeForm(ActionForm):
    title = _("Merge")
    submit_label = _("Merge")
    into = forms.CharField(label=_("Merge into ticket number"), required=False, max_length=32)
    reason = reason_field(_("Reason"), required=False)

    def clean_into(self) -> Ticket | None:
        number = (self.cleaned_data.get("into") or "").strip().upper()
        if not number:
            raise forms.ValidationError(_("Enter the number of the ticket to merge into."))
        try:
            return ticket_get_for_user(user=self.user, number=number)
        except NotFound:
            raise forms.ValidationError(_("No ticket with this number that you may see.")) from None


# --- Plan, approval, agreement --------------------------------------------------------------


class SubmitPlanForm(ActionForm):
    title = _("Submit the plan")
    submit_label = _("Submit the plan")


class DecideApprovalForm(ActionForm):
    title = _("Approval")
    decisions = [("approve", _("Approve"), "primary"), ("refuse", _("Refuse"), "")]
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput)
    comment = reason_field(_("Comment (required when refusing)"), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {"approve": self.cleaned_data["decision"] == "approve", "comment": self.cleaned_data["comment"]}


class RecordAgreementForm(ActionForm):
    """The customer's answer as the agent records it (phone, in person, signed paper)."""

    title = _("Customer agreement")
    submit_label = _("Record the answer")
    multipart = True
    accepted = forms.TypedChoiceField(
        label=_("The customer"), choices=[("yes", _("accepted the plan")), ("no", _("declined the plan"))], coerce=_yes
    )
    method = forms.ChoiceField(
        label=_("How"), choices=[(value, label) for value, label in AgreementMethod.choices if value != AgreementMethod.PORTAL]
    )
    agreed_at = forms.DateTimeField(label=_("When the customer answered"), required=False, widget=DateTimeLocalInput)
    note = reason_field(_("Note"), required=False)
    document = forms.FileField(label=_("Signed agreement"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["agreed_at"] = clock.now()


class MeasureChoiceForm(ActionForm):
    """A form that chooses among the current plan's measures (given by the panel, one query)."""


class UpdateMeasureForm(MeasureChoiceForm):
    title = _("Measure progress")
    submit_label = _("Save progress")
    measure = forms.ModelChoiceField(label=_("Measure"), queryset=PlanMeasure.objects.none(), empty_label=None)
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    progress_note = reason_field(_("Progress note"), required=False)

    def __init__(self, *args: Any, measures: list[PlanMeasure] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the measures of this ticket's current plan can be chosen.
        field = self.fields["measure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PlanMeasure.objects.filter(plan__ticket=self.ticket, plan__is_current=True)
        if measures is not None:
            field.choices = [(m.pk, f"{m.get_kind_display()} · {m.get_status_display()}") for m in measures]


class HoldForm(ActionForm):
    title = _("Put on hold")
    submit_label = _("Put on hold")
    reason = reason_field(_("What the ticket waits for"))


class ResumeForm(ActionForm):
    title = _("Resume")
    submit_label = _("Resume")
    note = reason_field(_("Note"), required=False)


class ResolveForm(ActionForm):
    title = _("Resolve")
    submit_label = _("Mark resolved")
    summary = reason_field(_("Summary of what was done (sent to the customer)"), rows=3)


class ConfirmResultForm(ActionForm):
    title = _("Customer's verdict")
    submit_label = _("Record the verdict")
    solved = forms.TypedChoiceField(
        label=_("The customer says the problem is"), choices=[("yes", _("solved")), ("no", _("not solved"))], coerce=_yes
    )
    note = reason_field(_("Note (required when not solved)"), required=False)


class CloseForm(ActionForm):
    title = _("Close")
    submit_label = _("Close and archive")
    note = reason_field(_("Note"), required=False)


class ReopenForm(ActionForm):
    title = _("Reopen")
    submit_label = _("Reopen for secondary processing")
    reason = reason_field(_("Why it is reopened"))


class RestartAnalysisForm(ActionForm):
    title = _("Analyse again")
    submit_label = _("Analyse again")
    note = reason_field(_("Note"), required=False)


class ResumePlanForm(MeasureChoiceForm):
    title = _("Carry out the agreed plan again")
    submit_label = _("Back to execution")
    # Not named "measures": that name is the plan form's formset in the template.
    redo = forms.ModelMultipleChoiceField(
        label=_("Measures to carry out again"),
        queryset=PlanMeasure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = reason_field(_("What will be done again"))

    def __init__(self, *args: Any, measures: list[PlanMeasure] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["redo"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = PlanMeasure.objects.filter(plan__ticket=self.ticket, plan__is_current=True)
        if measures is not None:
            field.choices = [(m.pk, f"{m.get_kind_display()} · {m.get_status_display()}") for m in measures]

    def service_kwargs(self) -> dict[str, Any]:
        return {"measures": list(self.cleaned_data["redo"]), "note": self.cleaned_data["note"]}

    def show_service_error(self, exc: DomainError) -> None:
        add_service_errors(self, exc, field_map={"measures": "redo"})


def action_form(
    action: str,
    *,
    ticket: Ticket,
    user: User,
    data: Any = None,
    files: Any = None,
    measures: list[PlanMeasure] | None = None,
) -> ActionForm:
    """The panel's form of ``action`` (its declaration in ``tickets.actions`` names it)."""
    form_class: type[ActionForm] = ACTIONS[action].form  # type: ignore[assignment]
    extra: dict[str, Any] = {"measures": measures} if issubclass(form_class, MeasureChoiceForm) else {}
    return form_class(data, files, ticket=ticket, user=user, action=action, **extra)


# --- The panel --------------------------------------------------------------------------------


def actions_panel_context(*, ticket: Ticket, user: User, bound: ActionForm | None = None) -> dict[str, Any]:
    """The detail page's process part: the forms of the actions ``user`` may take now (``bound``
    in place of its blank form after a refused submit), the plan and its decisions."""
    overview = ticket_process_overview(ticket=ticket)
    forms_ = []
    available = set(ticket_available_actions(user=user, ticket=ticket))
    for declared in panel_actions():  # "rate" has no form here: the survey page answers it
        name = declared.name
        if name not in available or not declared.offered(overview):
            continue
        if bound is not None and bound.action == name:
            forms_.append(bound)
        else:
            forms_.append(action_form(name, ticket=ticket, user=user, measures=overview.measures))
    if bound is not None and bound not in forms_:
        forms_.insert(0, bound)  # refused although not offered now (e.g. a stale page): show why
    # The SLA clocks are the sla app's part of the page ({% sla_clocks_panel ticket %}).
    return {"action_forms": forms_, "process": overview}


# --- Assignment (tickets.services.assignment) --------------------------------------------------

NOBODY = "none"


def _assignee_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Assign to"), error_messages={"required": _("Choose whom to assign to.")})


def _assignee_choices(user: User) -> list[tuple[str, Any]]:
    """The people within ``user``'s reach, each ``name · role · team · open tickets`` (and any
    absence): ``selectors.assignment.assignee_options``, one query; and "nobody"."""
    return [
        ("", _("Choose a person")),
        *((str(option.pk), option.label) for option in assignee_options(actor=user)),
        (NOBODY, _("Nobody (back to the unassigned queue)")),
    ]


def _assignee(value: str | None) -> User | None:
    if not value or value == NOBODY:
        return None
    # One of the offered people; the service checks again (active, handles tickets, within reach).
    return User.objects.select_related("team").get(pk=int(value))


class AssignForm(ActionForm):
    """Whom the ticket goes to, among the people within the user's reach."""

    title = _("Assign")
    submit_label = _("Assign")
    assignee = _assignee_field()
    note = reason_field(_("Note for the assignee"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _assignee_choices(self.user)
        if not self.is_bound and self.ticket.assignee_id is not None:
            self.initial["assignee"] = str(self.ticket.assignee_id)

    def clean_assignee(self) -> User | None:
        return _assignee(self.cleaned_data.get("assignee"))


class ClaimForm(ActionForm):
    """The "take it" action: the user becomes the assignee (nothing to fill in)."""

    title = _("Take it")
    submit_label = _("Take it")


class BulkAssignForm(forms.Form):
    """The list's bulk assignment: the tickets checked in the list, whom, and a note."""

    tickets = forms.Field(widget=forms.MultipleHiddenInput, required=False)
    assignee = _assignee_field()
    note = reason_field(_("Note for the assignee"), required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(self, data: Any = None, *, user: User, numbers: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(data, **kwargs)
        self.numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip() and len(n.strip()) <= 32))
        self.initial["tickets"] = self.numbers
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _assignee_choices(user)

    def clean_tickets(self) -> list[str]:
        if not self.numbers:
            raise forms.ValidationError(_("Select at least one ticket in the list."))
        return self.numbers

    def clean_assignee(self) -> User | None:
        return _assignee(self.cleaned_data.get("assignee"))
