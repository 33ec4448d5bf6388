"""The work order's parts panel (``parts/partials/work_order_panel.html``): what it shows and the
forms and actions it offers the signed-in user. The views and ``{% work_order_parts_panel %}``
build its context here.

The panel's three forms share one page (with each other and with the work order's own forms), so
each has its own prefix (``PREFIXES``): ids and names such as ``id_request-warehouse``, never a
second ``id_warehouse``. The POST views bind them through the same builders here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aftersales.accounts.models import User

from . import selectors
from .actions import panel_actions
from .forms import RequestPartsForm, ReturnPartsForm, UsePartsForm
from .models import Part

# One prefix per form of the panel: its field names and ids (``request-part_1``) are unique on the page.
PREFIXES = {"request_form": "request", "use_form": "use", "return_form": "return"}


def panel_context(*, user: User, work_order: Any, **forms: Any) -> dict[str, Any]:
    """Context of ``parts/partials/work_order_panel.html`` (the template tag uses it too)."""
    data = selectors.work_order_parts(user=user, work_order=work_order)
    context: dict[str, Any] = {
        "parts": data,
        "work_order": work_order,
        "panel_user": user,
        "requisition_rows": [(r, panel_actions(user=user, requisition=r, parts=data)) for r in data.requisitions],
    }
    if data.can_request:
        context["request_form"] = forms.get("request_form") or request_form(work_order)
    if data.can_use:
        context["use_form"] = forms.get("use_form") or use_form(data)
    if data.can_return:
        context["return_form"] = forms.get("return_form") or return_form(data, work_order)
    for key in ("flash", "error", "open"):
        if key in forms:
            context[key] = forms[key]
    return context


def request_form(work_order: Any, post: Any = None) -> RequestPartsForm:
    return RequestPartsForm(
        post,
        warehouses=selectors.source_warehouses(),
        parts=selectors.request_part_choices(work_order=work_order),
        prefix=PREFIXES["request_form"],
    )


def use_form(data: selectors.WorkOrderParts, post: Any = None) -> UsePartsForm:
    return UsePartsForm(post, parts=van_parts(data), prefix=PREFIXES["use_form"])


def van_parts(data: selectors.WorkOrderParts) -> QuerySet[Part]:
    return Part.objects.filter(pk__in=[row.part_id for row in data.van_stock]).order_by("number")


def return_form(data: selectors.WorkOrderParts, work_order: Any, post: Any = None) -> ReturnPartsForm:
    used_ids = [u.part_id for u in data.usages]
    faulty_parts = Part.objects.filter(pk__in=used_ids) if used_ids else selectors.request_part_choices(work_order=work_order)
    return ReturnPartsForm(
        post,
        warehouses=selectors.source_warehouses(),
        parts=van_parts(data),
        faulty_parts=faulty_parts.order_by("number"),
        prefix=PREFIXES["return_form"],
    )
