"""The quality demo's archived fault tickets are written directly (not through intake), with the
search bigrams intake would keep: the ticket search finds them like any other ticket."""

import pytest

from aftersales.demo.quality import BATCH_PREFIX
from aftersales.tickets.models import Ticket
from aftersales.tickets.search import ticket_search_q

pytestmark = pytest.mark.django_db


def test_the_archived_fault_tickets_are_found_by_the_search(demo_output):
    archived = Ticket.objects.filter(product_unit__batch__startswith=BATCH_PREFIX)
    assert archived.count() >= 10
    assert not archived.filter(search_grams="").exists()
    found = archived.filter(ticket_search_q("压缩机"))
    assert found.exists()
    assert set(found.values_list("title", flat=True)) == {"空调不制冷，室外机不启动"}
