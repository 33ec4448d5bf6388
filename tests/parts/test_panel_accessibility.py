"""The work order's parts panel is accessible (WCAG 2.1 AA audit): its three forms carry their own
prefix, so no id repeats on the work order page, and a successful POST announces itself through
``data-sr-status`` instead of an aria-live region on the swapped section."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from django.urls import reverse

from aftersales.parts.models import PartUsage, Requisition, RequisitionStatus
from tests.clients import client_for

HX = {"HTTP_HX_REQUEST": "true"}


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.sr_status: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[str(found["id"])] += 1
        if "data-sr-status" in found:
            self.sr_status.append(str(found["data-sr-status"]))


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def _issue_to_van(tech, keeper, stocked, board, work_order) -> None:  # type: ignore[no-untyped-def]
    tech.post(
        reverse("parts:panel_request", args=[work_order.pk]),
        {"request-warehouse": stocked.pk, "request-part_1": board.pk, "request-quantity_1": 2},
        **HX,
    )
    requisition = Requisition.objects.get(work_order=work_order)
    client_for(keeper).post(reverse("parts:requisition_action", args=[requisition.pk, "issue"]), {"panel": "1"}, **HX)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED


def test_ids_are_unique_on_the_work_order_page_with_all_three_forms(stocked, board, work_order, technician, keeper):
    tech = client_for(technician)
    _issue_to_van(tech, keeper, stocked, board, work_order)
    page = tech.get(reverse("fieldservice:detail", args=[work_order.number])).content.decode()
    for form in ("panel-request", "panel-use", "panel-return-form"):
        assert f'data-test-id="{form}"' in page, form
    ids = _parse(page).ids
    assert ids, "the page has ids"
    assert [i for i, n in ids.items() if n > 1] == []
    for prefix in ("request", "use", "return"):
        assert f"id_{prefix}-part_1" in ids
    assert "id_warehouse" not in ids and "id_part_1" not in ids


def test_the_panel_fragment_itself_has_unique_ids(stocked, board, work_order, technician, keeper):
    tech = client_for(technician)
    _issue_to_van(tech, keeper, stocked, board, work_order)
    panel = tech.get(reverse("parts:panel", args=[work_order.pk]), **HX).content.decode()
    ids = _parse(panel).ids
    assert [i for i, n in ids.items() if n > 1] == []
    assert 'aria-live="polite"' not in panel.split(">", 2)[0] + panel.split("<section", 1)[1].split(">", 1)[0]
    assert _parse(panel).sr_status == [], "a plain load announces nothing"
    assert "{#" not in panel and "{%" not in panel


def test_a_successful_post_carries_data_sr_status_and_a_refusal_does_not(stocked, board, work_order, technician, keeper):
    tech = client_for(technician)
    _issue_to_van(tech, keeper, stocked, board, work_order)
    used = tech.post(
        reverse("parts:panel_use", args=[work_order.pk]),
        {"use-part_1": board.pk, "use-quantity_1": 1, "use-serial_1": "NEW-1", "use-removed_serial_1": "OLD-1"},
        **HX,
    ).content.decode()
    assert PartUsage.objects.get().serial == "NEW-1"
    assert _parse(used).sr_status == ["已登记已用备件。"]
    refused = tech.post(reverse("parts:panel_use", args=[work_order.pk]), {"use-part_1": board.pk, "use-quantity_1": 5}, **HX)
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    assert _parse(refused.content.decode()).sr_status == []
    # The refused form comes back with its prefixed names and the technician's choice.
    assert 'name="use-quantity_1"' in refused.content.decode() and 'value="5"' in refused.content.decode()
    returned = tech.post(
        reverse("parts:panel_return", args=[work_order.pk]),
        {"return-warehouse": stocked.pk, "return-part_1": board.pk, "return-quantity_1": 1},
        **HX,
    ).content.decode()
    assert len(_parse(returned).sr_status) == 1 and 'data-test-id="panel-return"' in returned


def test_the_announcement_follows_the_language(stocked, board, work_order, technician, keeper):
    tech = client_for(technician)
    _issue_to_van(tech, keeper, stocked, board, work_order)
    tech.cookies["django_language"] = "en"
    used = tech.post(
        reverse("parts:panel_use", args=[work_order.pk]),
        {"use-part_1": board.pk, "use-quantity_1": 1},
        **HX,
    ).content.decode()
    assert _parse(used).sr_status == ["Parts used recorded."]
