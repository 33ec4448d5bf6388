"""The appraisal pages' forms: the request, the assignment, the report, a file, cancelling, and
the customer's answer on the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.parties.models import PartyKind
from aftersales.parties.selectors import only_registered_parties, party_options
from aftersales.parts.models import Part
from aftersales.tickets.choices import Cause, Nature, Responsibility, Severity

from .choices import FaultType
from .models import AppraisalPlace, CustomerDecision, FileKind
from .selectors import appraisers
from .services import MAX_CELL, ReportInput

TEST_ROWS = 5  # blank rows offered below the tests already recorded


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class RequestForm(forms.Form):
    place = forms.ChoiceField(label=_("Place of appraisal"), choices=AppraisalPlace.choices)
    appraiser = forms.ModelChoiceField(label=_("Appraiser"), queryset=appraisers(), required=False, empty_label=_("Not yet"))
    note = forms.CharField(
        label=_("What to appraise"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=20000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appraiser"].queryset = appraisers()  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    appraiser = forms.ModelChoiceField(label=_("Appraiser"), queryset=appraisers())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appraiser"].queryset = appraisers()  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=2000)


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FileKind.choices)
    file = forms.FileField(label=_("File"))


class ReportForm(forms.Form):
    symptom = forms.CharField(label=_("Symptom"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    fault_type = forms.ChoiceField(label=_("Fault type"), choices=_blank(FaultType.choices), required=False)
    nature = forms.ChoiceField(label=_("Nature"), choices=_blank(Nature.choices), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=_blank(Severity.choices), required=False)
    cause = forms.ChoiceField(label=_("Cause"), choices=_blank(Cause.choices), required=False)
    component = forms.ModelChoiceField(
        label=_("Component at fault"), queryset=Part.objects.none(), required=False, empty_label="—"
    )
    component_text = forms.CharField(label=_("Component (when not in the catalogue)"), required=False, max_length=128)
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=_blank(Responsibility.choices), required=False)
    # Names of the register of responsible parties (the page's datalist offers them); the
    # service links the entry of the responsibility's kind, registering a new name.
    responsible_party = forms.CharField(
        label=_("Department or outlet responsible"),
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs={"list": "appraisal-parties", "autocomplete": "off"}),
        help_text=_("From the register of responsible parties; a new name is added to it."),
    )
    supplier = forms.CharField(
        label=_("Supplier"),
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs={"list": "appraisal-suppliers", "autocomplete": "off"}),
    )
    sanbao_applies = forms.TypedChoiceField(
        label=_("Do the three guarantees (sanbao) apply?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, parts: Any = None, tests: list[dict[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parts is not None:
            self.fields["component"].queryset = parts  # type: ignore[attr-defined]
        # (code, "name · kind" in the reader's language): a code is what the browser fills in; the
        # supplier's field offers the suppliers, the other the departments, logistics and outlets.
        self.party_options = party_options([k for k in PartyKind.values if k != PartyKind.SUPPLIER])
        self.supplier_options = party_options([PartyKind.SUPPLIER])
        if only_registered_parties():  # the register's strict mode: a new name is refused
            self.fields["responsible_party"].help_text = _("Choose a party from the register of responsible parties.")
        rows = list(tests or []) + [{} for _ in range(TEST_ROWS)]
        self.test_rows: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            names = {}
            for key, label in (("name", _("Test")), ("reading", _("Reading")), ("expected", _("Expected"))):
                name = f"test-{index}-{key}"
                self.fields[name] = forms.CharField(label=label, required=False, max_length=MAX_CELL, initial=row.get(key, ""))
                names[key] = name
            self.test_rows.append(names)

    def test_row_fields(self) -> list[list[Any]]:
        return [[self[row[key]] for key in ("name", "reading", "expected")] for row in self.test_rows]

    def report(self) -> ReportInput:
        data = self.cleaned_data
        tests = [{key: data.get(row[key], "") for key in ("name", "reading", "expected")} for row in self.test_rows]
        component = data.get("component")
        return ReportInput(
            symptom=data["symptom"],
            tests=[t for t in tests if any(t.values())],
            findings=data["findings"],
            fault_type=data["fault_type"],
            nature=data["nature"],
            severity=data["severity"],
            cause=data["cause"],
            component_id=component.pk if component is not None else None,
            component_text=data["component_text"],
            responsibility=data["responsibility"],
            responsible_party=data["responsible_party"],
            supplier=data["supplier"],
            sanbao_applies=data["sanbao_applies"],
        )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your answer"), choices=CustomerDecision.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why do you ask for a re-appraisal?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
