"""An inspection photo is opened through an access-checked view of the RMA, never by a link into
the file storage (the page once linked ``photo.file.url``: /media/…, served by nothing, or an
object storage address)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from tests.clients import client_for
from tests.factories import UserFactory

from .helpers import walk_to, world

pytestmark = pytest.mark.django_db


def test_the_page_links_each_photo_to_the_view_that_checks_the_rma_scope():
    w = world()
    rma = walk_to(w.authorise(), "inspected", w)
    photo = rma.photos.get()
    link = reverse("returns:photo", args=[rma.number, photo.pk])
    page = client_for(w.keeper).get(reverse("returns:detail", args=[rma.number])).content.decode()
    assert f'href="{link}"' in page and "/media/" not in page
    shown = client_for(w.agent).get(link)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert "no-store" in shown["Cache-Control"] and shown["X-Content-Type-Options"] == "nosniff"
    with photo.file.open("rb") as stored:
        assert b"".join(shown.streaming_content) == stored.read()

    other_region = world(code="south")
    assert client_for(other_region.keeper).get(link).status_code == 404
    assert client_for(UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN)).get(link).status_code in {302, 403, 404}
    assert client_for(w.keeper).get(reverse("returns:photo", args=[rma.number, photo.pk + 1000])).status_code == 404


def test_a_photo_lost_from_the_storage_is_a_404_not_a_500():
    w = world()
    rma = walk_to(w.authorise(), "inspected", w)
    photo = rma.photos.get()
    photo.file.storage.delete(photo.file.name)
    assert client_for(w.keeper).get(reverse("returns:photo", args=[rma.number, photo.pk])).status_code == 404
