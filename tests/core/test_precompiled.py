"""``RowByKey`` and ``PreparedQuery``: the same rows, with the same Python values, as the ORM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.precompiled import PreparedQuery, RowByKey
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_add_note
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_user_by_pk_equals_the_orm_row_with_aware_datetimes():
    user = UserFactory(last_login=timezone.now() - dt.timedelta(days=2))
    UserFactory()  # another row, not returned
    found = RowByKey(User, "pk").get(user.pk)
    assert found is not None and found.pk == user.pk
    assert _fields(found) == _fields(User.objects.get(pk=user.pk))
    assert timezone.is_aware(found.last_login) and timezone.is_aware(found.date_joined)
    assert found._state.adding is False and found._state.db == "default"


def test_text_key_and_a_missing_row():
    ticket = make_ticket()
    reader = RowByKey(Ticket, "number")
    assert _fields(reader.get(ticket.number)) == _fields(Ticket.objects.get(pk=ticket.pk))
    assert reader.get("SH19700101-000000") is None
    assert RowByKey(Session, "session_key").get("no-such-session") is None


def test_the_statement_is_compiled_once_and_is_one_query():
    user = UserFactory()
    reader = RowByKey(User, "pk")
    reader.get(user.pk)
    with CaptureQueriesContext(connection) as ctx:
        reader.get(user.pk)
        reader.get(user.pk + 1000)
    assert len(ctx.captured_queries) == 2
    assert ctx.captured_queries[0]["sql"].count("SELECT") == 1


def test_a_key_that_needs_adaptation_is_refused():
    with pytest.raises(ValueError, match="adaptation"):
        RowByKey(Session, "expire_date")


# --- PreparedQuery ----------------------------------------------------------------------------


def _related(obj, name):
    """The related object ``select_related`` cached on ``obj`` (None when the key is empty)."""
    field = type(obj)._meta.get_field(name)
    assert field.is_cached(obj), f"{name} was not loaded with the row"
    related = getattr(obj, name)
    return None if related is None else _fields(related)


def test_prepared_rows_equal_the_orm_with_select_related_and_an_empty_relation():
    agent = UserFactory()
    assigned = make_ticket()
    Ticket.objects.filter(pk=assigned.pk).update(assignee=agent)
    unassigned = make_ticket()
    build = lambda number: Ticket.objects.select_related("customer", "category", "assignee").filter(number=number)[:1]  # noqa: E731
    reader = PreparedQuery(build)
    for ticket in (assigned, unassigned):
        [found] = reader.list(number=ticket.number)
        [expected] = list(build(ticket.number))
        assert _fields(found) == _fields(expected)
        for name in ("customer", "category", "assignee"):
            assert _related(found, name) == _related(expected, name)
        assert found._state.adding is False and found._state.db == "default"
        assert timezone.is_aware(found.created_at)
    assert _related(reader.list(number=unassigned.number)[0], "assignee") is None
    assert reader.list(number="SH19700101-000000") == []


def test_prepared_rows_keep_the_order_and_the_constant_filters():
    ticket = make_ticket()
    other = make_ticket()
    ticket_add_note(ticket=ticket, actor=UserFactory(role="agent"), body="internal", public=False)
    ticket_add_note(ticket=ticket, actor=UserFactory(role="agent"), body="public", public=True)
    ticket_add_note(ticket=other, actor=UserFactory(role="agent"), body="elsewhere", public=True)
    every = PreparedQuery(lambda ticket_id: TicketEvent.objects.filter(ticket_id=ticket_id).order_by("created_at", "id"))
    public = PreparedQuery(
        lambda ticket_id: TicketEvent.objects.filter(ticket_id=ticket_id, public=True).order_by("created_at", "id")
    )
    expected = list(TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id"))
    assert [e.pk for e in every.list(ticket_id=ticket.pk)] == [e.pk for e in expected]
    assert [e.body for e in public.list(ticket_id=ticket.pk)] == [e.body for e in expected if e.public]
    assert "internal" not in [e.body for e in public.list(ticket_id=ticket.pk)]
    assert [e.data for e in every.list(ticket_id=ticket.pk)] == [e.data for e in expected]  # JSON converted


def test_prepared_annotations_are_set_on_the_rows():
    ticket = make_ticket()
    reader = PreparedQuery(lambda pk: Ticket.objects.filter(pk=pk).annotate(twice=F("priority") * 2))
    [found] = reader.list(pk=ticket.pk)
    assert found.twice == ticket.priority * 2


def test_prepared_compiles_once_and_runs_one_statement_per_call():
    ticket = make_ticket()
    calls = []

    def build(ticket_id):
        calls.append(ticket_id)
        return TicketEvent.objects.filter(ticket_id=ticket_id).select_related("actor")

    reader = PreparedQuery(build)
    reader.list(ticket_id=ticket.pk)
    with CaptureQueriesContext(connection) as ctx:
        reader.list(ticket_id=ticket.pk)
        reader.list(ticket_id=ticket.pk + 1000)
    assert len(calls) == 1  # built and compiled once, with a sample value
    assert len(ctx.captured_queries) == 2
    assert str(ticket.pk) in ctx.captured_queries[0]["sql"] and str(ticket.pk + 1000) in ctx.captured_queries[1]["sql"]


def test_prepared_refuses_values_of_the_wrong_type_and_unknown_arguments():
    ticket = make_ticket()
    by_number = PreparedQuery(lambda number: Ticket.objects.filter(number=number))
    by_pk = PreparedQuery(lambda pk: Ticket.objects.filter(pk=pk))
    with pytest.raises(TypeError, match="number must be str"):
        by_number.list(number=123)
    with pytest.raises(TypeError, match="pk must be int"):
        by_pk.list(pk=str(ticket.pk))
    with pytest.raises(TypeError, match="pk must be int"):
        by_pk.list(pk=None)
    with pytest.raises(TypeError, match="exactly the arguments"):
        by_pk.list(pk=ticket.pk, other=1)


def test_prepared_refuses_shapes_it_cannot_replay():
    with pytest.raises(ValueError, match="do not reach the statement"):
        PreparedQuery(lambda pk: Ticket.objects.all()).list(pk=1)
    with pytest.raises(ValueError, match="prefetch_related"):
        PreparedQuery(lambda pk: Ticket.objects.filter(pk=pk).prefetch_related("events")).list(pk=1)


def _relations(obj) -> dict:
    """The related rows ``select_related`` put on ``obj``, with their fields."""
    return {name: (_fields(rel) if rel is not None else None) for name, rel in obj._state.fields_cache.items()}


def test_every_prepared_query_in_the_product_gives_what_the_orm_gives(settings):
    """The pin of the hand-written reads (decision 0008): each PreparedQuery the product defines
    returns, for real keys, the rows, field values, Python types and select_related rows the ORM
    returns for the same queryset. A Django upgrade that changes the compiler's columns,
    converters, ``from_db`` or the related populators fails here, not in production."""
    from aftersales.core.precompiled import INSTANCES
    from aftersales.feedback.models import Survey  # noqa: F401 - the apps' modules are loaded
    from aftersales.sla.selectors import sla_clocks_for_ticket
    from aftersales.tickets.process import MeasureInput, ticket_propose_plan
    from tests.tickets.process_helpers import agent, analysed

    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    ticket_add_note(ticket=ticket, actor=handler, body="已联系客户", kind="message_out")
    measures = [MeasureInput(kind="onsite_repair", customer_charge=Decimal("300"))]  # issue 14: the estimate
    ticket_propose_plan(ticket=ticket, actor=handler, diagnosis="排水管堵塞", measures=measures)
    assert sla_clocks_for_ticket(ticket=ticket)  # the ticket has clocks to read
    values = {"ticket_id": ticket.pk, "number": ticket.number, "key": ticket.pk}
    uses = [q for q in INSTANCES if set(q.names) <= {"ticket_id", "number"}]
    assert len(uses) >= 6  # the ticket page's reads and the SLA clocks
    compared = 0
    for query in uses:
        arguments = {name: values[name] for name in query.names}
        prepared = query.list(**arguments)
        settings.PRECOMPILED_READS = False
        try:
            expected = list(query.build(**arguments))
        finally:
            settings.PRECOMPILED_READS = True
        compared += bool(prepared)
        assert [_fields(o) for o in prepared] == [_fields(o) for o in expected]
        assert [_relations(o) for o in prepared] == [_relations(o) for o in expected]
        assert [{k: type(v) for k, v in _fields(o).items()} for o in prepared] == [
            {k: type(v) for k, v in _fields(o).items()} for o in expected
        ]
    assert compared >= 5  # all but the attachments read rows here
