import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.tickets.models import Attachment
from aftersales.tickets.services import ticket_add_attachment
from tests.clients import client_for
from tests.factories import CustomerFactory, UserFactory, make_ticket

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def upload_url(ticket) -> str:
    return reverse("tickets:add_attachment", args=[ticket.number])


def test_uploading_a_real_png_attaches_it_and_updates_timeline(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.post(
        upload_url(ticket),
        {"attachment": SimpleUploadedFile("漏水照片.png", png_bytes(), content_type="image/png"), "public": "on"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "漏水照片.png"
    assert attachment.uploaded_by == agent
    html = response.content.decode()
    assert "漏水照片.png" in html
    assert reverse("tickets:attachment", args=[attachment.pk]) in html
    assert 'id="timeline" data-test-id="timeline" hx-swap-oob="true"' in html


def test_uploading_without_javascript_redirects_back(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.post(upload_url(ticket), {"attachment": SimpleUploadedFile("a.png", png_bytes())})
    assert response.status_code == 302
    assert Attachment.objects.filter(ticket=ticket).count() == 1


def test_a_text_file_renamed_png_is_refused_with_a_clear_message(agent, agent_client):
    ticket = make_ticket(actor=agent)
    fake = SimpleUploadedFile("照片.png", "这其实是一个文本文件\n".encode(), content_type="image/png")
    response = agent_client.post(
        upload_url(ticket), {"attachment": fake}, headers={"HX-Request": "true", "Accept-Language": "en"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-attachment"' in html
    assert "不支持此文件类型。" in html  # the Chinese default UI
    assert not Attachment.objects.exists()


def test_the_refusal_also_works_without_javascript(agent, agent_client):
    ticket = make_ticket(actor=agent)
    fake = SimpleUploadedFile("photo.png", b"plain text, not an image", content_type="image/png")
    response = agent_client.post(upload_url(ticket), {"attachment": fake})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert 'data-test-id="error-attachment"' in response.content.decode()


def _attach(ticket, actor, name="故障照片.png", public=True):
    return ticket_add_attachment(
        ticket=ticket, actor=actor, fileobj=SimpleUploadedFile(name, png_bytes()), filename=name, public=public
    )


def test_download_streams_the_file_with_safe_headers(agent, agent_client):
    ticket = make_ticket(actor=agent)
    attachment = _attach(ticket, agent)
    response = agent_client.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E6%95%85%E9%9A%9C%E7%85%A7%E7%89%87.png" in disposition
    assert b"".join(response.streaming_content) == png_bytes()


def test_download_is_404_for_a_user_outside_the_scope(agent):
    ticket = make_ticket(actor=agent)
    attachment = _attach(ticket, agent)
    outsider = UserFactory()
    assert client_for(outsider).get(reverse("tickets:attachment", args=[attachment.pk])).status_code == 404
    assert client_for(agent).get(reverse("tickets:attachment", args=[attachment.pk + 999])).status_code == 404


def test_a_customer_gets_their_public_files_but_not_internal_ones(agent):
    customer_user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=customer_user, phone="+8613612345678")
    ticket = make_ticket(actor=agent, phone="13612345678")
    public = _attach(ticket, agent, public=True)
    internal = _attach(ticket, agent, name="内部.png", public=False)
    client = client_for(customer_user)
    assert client.get(reverse("tickets:attachment", args=[public.pk])).status_code == 200
    assert client.get(reverse("tickets:attachment", args=[internal.pk])).status_code == 404


def test_download_needs_login(client, agent):
    attachment = _attach(make_ticket(actor=agent), agent)
    response = client.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response.status_code == 302
