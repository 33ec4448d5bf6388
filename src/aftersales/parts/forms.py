"""Forms of the parts pages and the work order's parts panel. They only parse input; the services
decide. Line forms offer a few rows (phone-friendly) of part + quantity."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError
from aftersales.core.view_errors import add_service_errors

from .models import AppraisalResult, Part, Warehouse
from .services import FaultyInput, UsedPartInput

ROWS = 3


class ServiceErrorsMixin(forms.Form):
    def show_service_error(self, exc: DomainError) -> None:
        add_service_errors(self, exc)


def _part_label(part: Part) -> str:
    return f"{part.number} {part.name}"


class PartChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _part_label(obj)


class LinesMixin(ServiceErrorsMixin):
    """Rows ``part_<i>`` / ``quantity_<i>``; the first row is required unless ``lines_optional``."""

    lines_optional = False

    def add_line_fields(self, parts: QuerySet[Part], *, rows: int = ROWS, prefix: str = "") -> None:
        for i in range(1, rows + 1):
            self.fields[f"{prefix}part_{i}"] = PartChoice(queryset=parts, required=False, label=_("Part"), empty_label="—")
            self.fields[f"{prefix}quantity_{i}"] = forms.IntegerField(
                required=False, min_value=1, max_value=10000, label=_("Quantity"), initial=1 if i == 1 else None
            )
            self.fields[f"{prefix}quantity_{i}"].widget.attrs.update({"inputmode": "numeric", "class": "qty"})

    def line_rows(self, prefix: str = "") -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"{prefix}part_{i}"], self[f"{prefix}quantity_{i}"])
            for i in range(1, ROWS + 1)
            if f"{prefix}part_{i}" in self.fields
        ]

    def clean_lines(self, prefix: str = "") -> list[tuple[Part, int]]:
        lines = []
        for i in range(1, ROWS + 1):
            part = self.cleaned_data.get(f"{prefix}part_{i}")
            quantity = self.cleaned_data.get(f"{prefix}quantity_{i}")
            if part is None:
                continue
            if not quantity:
                self.add_error(f"{prefix}quantity_{i}", _("Enter the quantity."))
                continue
            lines.append((part, quantity))
        return lines


class RequestPartsForm(LinesMixin):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=_("From warehouse"), empty_label=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, warehouses: QuerySet[Warehouse], parts: QuerySet[Part], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]
        self.add_line_fields(parts)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["lines"] = self.clean_lines()
        if not cleaned["lines"] and not self.errors:
            self.add_error("part_1", _("Add at least one part."))
        return cleaned


class UsePartsForm(LinesMixin):
    def __init__(self, *args: Any, parts: QuerySet[Part], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_line_fields(parts)
        for i in range(1, ROWS + 1):
            self.fields[f"serial_{i}"] = forms.CharField(label=_("New part's serial"), required=False, max_length=64)
            self.fields[f"removed_serial_{i}"] = forms.CharField(label=_("Removed part's serial"), required=False, max_length=64)

    def used_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            (self[f"part_{i}"], self[f"quantity_{i}"], self[f"serial_{i}"], self[f"removed_serial_{i}"])
            for i in range(1, ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used = []
        for i in range(1, ROWS + 1):
            part, quantity = cleaned.get(f"part_{i}"), cleaned.get(f"quantity_{i}")
            if part is None:
                continue
            if not quantity:
                self.add_error(f"quantity_{i}", _("Enter the quantity."))
                continue
            used.append(
                UsedPartInput(
                    part=part,
                    quantity=quantity,
                    serial=cleaned.get(f"serial_{i}", ""),
                    removed_serial=cleaned.get(f"removed_serial_{i}", ""),
                )
            )
        if not used and not self.errors:
            self.add_error("part_1", _("Add at least one part."))
        cleaned["used"] = used
        return cleaned


class ReturnPartsForm(LinesMixin):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=_("Back to warehouse"), empty_label=None)
    faulty_part = PartChoice(queryset=Part.objects.none(), required=False, label=_("Faulty part taken out"), empty_label="—")
    faulty_serial = forms.CharField(label=_("Its serial number"), required=False, max_length=64)
    faulty_condition = forms.CharField(label=_("Its condition"), required=False, max_length=500)

    def __init__(
        self, *args: Any, warehouses: QuerySet[Warehouse], parts: QuerySet[Part], faulty_parts: QuerySet[Part], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]
        self.fields["faulty_part"].queryset = faulty_parts  # type: ignore[attr-defined]
        self.add_line_fields(parts)
        self.fields["quantity_1"].initial = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["unused"] = self.clean_lines()
        faulty = []
        if cleaned.get("faulty_part"):
            faulty.append(
                FaultyInput(
                    part=cleaned["faulty_part"],
                    serial=cleaned.get("faulty_serial", ""),
                    condition=cleaned.get("faulty_condition", ""),
                )
            )
        cleaned["faulty"] = faulty
        if not cleaned["unused"] and not faulty and not self.errors:
            self.add_error("part_1", _("Add at least one part to return."))
        return cleaned


class TransferForm(LinesMixin):
    from_warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=_("From warehouse"))
    to_warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=_("To warehouse"))
    in_transit = forms.BooleanField(label=_("In transit (received later)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, sources: QuerySet[Warehouse], targets: QuerySet[Warehouse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].queryset = sources  # type: ignore[attr-defined]
        self.fields["to_warehouse"].queryset = targets  # type: ignore[attr-defined]
        self.add_line_fields(Part.objects.filter(active=True).order_by("number"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["lines"] = self.clean_lines()
        if not cleaned["lines"] and not self.errors:
            self.add_error("part_1", _("Add at least one part."))
        return cleaned


class ReceiveForm(LinesMixin):
    """Goods received into a warehouse (purchase order, factory delivery)."""

    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=_("Into warehouse"), empty_label=None)
    reference = forms.CharField(label=_("Delivery or purchase order number"), required=False, max_length=40)

    def __init__(self, *args: Any, warehouses: QuerySet[Warehouse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]
        self.add_line_fields(Part.objects.filter(active=True).order_by("number"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["lines"] = self.clean_lines()
        if not cleaned["lines"] and not self.errors:
            self.add_error("part_1", _("Add at least one part."))
        return cleaned


class DecisionForm(ServiceErrorsMixin):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AppraiseForm(ServiceErrorsMixin):
    result = forms.ChoiceField(label=_("Appraisal result"), choices=AppraisalResult.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class StockFilterForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), required=False, label=_("Warehouse"), empty_label=_("All")
    )
    q = forms.CharField(required=False, label=_("Part"), max_length=64)
    low = forms.BooleanField(required=False, label=_("Low stock only"))

    def __init__(self, *args: Any, warehouses: QuerySet[Warehouse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]


class LedgerFilterForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), required=False, label=_("Warehouse"), empty_label=_("All")
    )
    part = PartChoice(queryset=Part.objects.order_by("number"), required=False, label=_("Part"), empty_label=_("All"))

    def __init__(self, *args: Any, warehouses: QuerySet[Warehouse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]
