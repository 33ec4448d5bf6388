"""The ticket list's active filters, each shown as a chip with a link that removes it.

Some filters have no control on the list's form: the home pages, the supervisor's and the
management dashboard's figures link to the list with a category, a region, a team, an assignee,
an SLA state or a registration time (``TicketListFilterForm``'s hidden fields). A user who
lands there sees a count and, here, why: "SLA breached", "Team: 客服一组", "Registered between …
and …". Every filter the list applies gets a chip, the form's own too (the queue, a status other
than the default "open", the search …), so the line reads as the whole answer to "which tickets?".

A chip shows what the list applies: the values as the form cleaned them (an unreadable value is
ignored by the list, so it gets no chip). Its link keeps every other parameter of the page as it
is and leaves out the chip's own (both ends for the registration time) and the page's cursor (a
position in the old list). A link that would leave nothing asks for ``?status=open`` (the
default list, as the saved views' "All open tickets" does): the bare ``/tickets/`` would send a
user with a start view to it.

The links are plain links (a whole page): the form's hidden fields must lose the filter too.
With each results fragment the chips come along out of band, so that a filter changed on the
form shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from aftersales.accounts.models import Region, Team, User
from aftersales.catalog.models import ProductModel
from aftersales.parties.models import ResponsibleParty

from .forms import STATUS_OPEN, TicketListFilterForm
from .models import TicketCategory
from .selectors.listing import is_whole_number

CHIPS_TEMPLATE = "tickets/partials/ticket_filter_chips.html"
CURSOR = "cursor"
# The parameters each chip stands for: one each, but both ends of the registration time.
CHIP_PARAMETERS: dict[str, tuple[str, ...]] = {
    "queue": ("queue",),
    "status": ("status",),
    "priority": ("priority",),
    "channel": ("channel",),
    "q": ("q",),
    "category": ("category",),
    "region": ("region",),
    "team": ("team",),
    "assignee": ("assignee",),
    "sla": ("sla",),
    "created": ("created_after", "created_before"),
    "model": ("model",),
    "responsibility": ("responsibility",),
    "request_type": ("request_type",),
    "number": ("number",),
    "party": ("party",),
}


@dataclass(frozen=True)
class Chip:
    key: str  # a key of CHIP_PARAMETERS
    text: str
    remove_url: str


def _choice_label(name: str, value: object) -> str:
    """The label of ``value`` among the choices of the form's field ``name`` (active language)."""
    field = TicketListFilterForm.base_fields[name]
    assert isinstance(field, forms.ChoiceField)
    for choice, label in field.choices:  # type: ignore[misc,union-attr]
        if str(choice) == str(value):
            return str(label)
    return str(value)


def _labelled(filter_label: str, value: str) -> str:
    return _("%(filter)s: %(value)s") % {"filter": filter_label, "value": value}


def _moment(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _category_text(pk: int) -> str:
    if pk == 0:
        return _("Without a category")
    row = TicketCategory.objects.filter(pk=pk).values_list("name", "name_en").first()
    return _labelled(_("Category"), TicketCategory.label(*row) if row else f"#{pk}")


def _region_text(pk: int) -> str:
    if pk == 0:
        return _("No region")
    name = Region.objects.filter(pk=pk).values_list("name", flat=True).first()
    return _labelled(_("Region"), name or f"#{pk}")


def _team_text(pk: int) -> str:
    if pk == 0:
        return _("Without a team")
    name = Team.objects.filter(pk=pk).values_list("name", flat=True).first()
    return _labelled(_("Team"), name or f"#{pk}")


def _assignee_text(pk: int) -> str:
    row = User.objects.filter(pk=pk).values_list("display_name", "first_name", "last_name", "username").first()
    return _labelled(_("Assignee"), User.label(*row) if row else f"#{pk}")


def _model_text(code: str) -> str:
    name = ProductModel.objects.filter(code=code).values_list("name", flat=True).first()
    return _labelled(_("Product model"), f"{name} {code}" if name else code)


def _party_text(code: str) -> str:
    """The responsible party's name in the reader's language (the register's code when unknown)."""
    party = ResponsibleParty.objects.filter(code=code).only("name", "name_en").first()
    return _labelled(_("Responsible party"), party.label if party is not None else code)


def _number_text(number: str) -> str:
    if is_whole_number(number):
        return _labelled(_("Number"), number)
    return _("Number starts with “%(number)s”") % {"number": number}


def _created_text(after: dt.datetime | None, before: dt.datetime | None) -> str:
    if after is not None and before is not None:
        return _("Registered between %(start)s and %(end)s") % {"start": _moment(after), "end": _moment(before)}
    if after is not None:
        return _("Registered from %(start)s") % {"start": _moment(after)}
    assert before is not None
    return _("Registered before %(end)s") % {"end": _moment(before)}


def chip_texts(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, text)`` of each filter the list applies for ``values`` (``TicketListFilterForm.
    values_from``), in the form's order, in the active language. Reads a name for each category,
    region, team, assignee, product model or responsible party given (one query each, only when
    given)."""
    texts: list[tuple[str, str]] = []
    if values["queue"]:
        texts.append(("queue", _labelled(_("Queue"), _choice_label("queue", values["queue"]))))
    if values["status"] != STATUS_OPEN:
        texts.append(("status", _labelled(_("Status"), _choice_label("status", values["status"]))))
    if values["priority"] is not None:
        texts.append(("priority", _labelled(_("Priority"), _choice_label("priority", values["priority"]))))
    if values["channel"]:
        texts.append(("channel", _labelled(_("Channel"), _choice_label("channel", values["channel"]))))
    if values["q"]:
        texts.append(("q", _("Search: “%(text)s”") % {"text": values["q"]}))
    if values["category"] is not None:
        texts.append(("category", _category_text(values["category"])))
    if values["region"] is not None:
        texts.append(("region", _region_text(values["region"])))
    if values["team"] is not None:
        texts.append(("team", _team_text(values["team"])))
    if values["assignee"] is not None:
        texts.append(("assignee", _assignee_text(values["assignee"])))
    if values["sla"]:
        texts.append(("sla", _choice_label("sla", values["sla"])))  # "SLA warning", "SLA breached"
    if values["created_after"] is not None or values["created_before"] is not None:
        texts.append(("created", _created_text(values["created_after"], values["created_before"])))
    if values["model"]:
        texts.append(("model", _model_text(values["model"])))
    if values["responsibility"]:
        texts.append(
            ("responsibility", _labelled(_("Responsibility"), _choice_label("responsibility", values["responsibility"])))
        )
    if values["request_type"]:
        texts.append(("request_type", _labelled(_("Request type"), _choice_label("request_type", values["request_type"]))))
    if values["number"]:
        texts.append(("number", _number_text(values["number"])))
    if values.get("party"):
        texts.append(("party", _party_text(values["party"])))
    return texts


def remove_url(params: QueryDict, key: str, list_url: str = "") -> str:
    """The list's URL with ``params`` less the parameters of chip ``key`` and the cursor."""
    rest = params.copy()
    for name in (*CHIP_PARAMETERS[key], CURSOR):
        rest.pop(name, None)
    return f"{list_url or reverse('tickets:list')}?{rest.urlencode() or 'status=' + STATUS_OPEN}"


def filter_chips(params: QueryDict, values: Mapping[str, Any]) -> list[Chip]:
    """The chips of the list page showing ``params`` (cleaned as ``values``)."""
    list_url = reverse("tickets:list")
    return [Chip(key=key, text=text, remove_url=remove_url(params, key, list_url)) for key, text in chip_texts(values)]


def render_chips(params: QueryDict, values: Mapping[str, Any], *, oob: bool = False) -> SafeString:
    """The chips' markup (``oob``: to be swapped out of band by htmx, with a results fragment).
    Always the container, empty without filters: the fragment's chips need it on the page."""
    chips = filter_chips(params, values)
    if not chips:
        return _empty(oob)
    html: SafeString = render_to_string(CHIPS_TEMPLATE, {"chips": chips, "oob": oob})
    return html


@lru_cache(maxsize=2)
def _empty(oob: bool) -> SafeString:
    """The container without chips: no words in it, the same in every language."""
    html: SafeString = render_to_string(CHIPS_TEMPLATE, {"chips": [], "oob": oob})
    return html
