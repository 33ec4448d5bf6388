"""``RowByKey``: the same row, with the same Python values, as the ORM's filter on that key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.precompiled import RowByKey
from aftersales.tickets.models import Ticket
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
