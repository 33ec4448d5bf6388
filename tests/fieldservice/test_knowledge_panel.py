"""The work order's knowledge panel: the technician on the job (data scope "own", who may not open
the ticket page) gets the suggested articles for its ticket and records "this solved it" from his
work order; another technician gets 404. The ticket page keeps the knowledge app's own panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.knowledge.models import ArticleFeedback
from tests.clients import client_for_language
from tests.factories import ProductModelFactory
from tests.knowledge.helpers import published

from .helpers import agent, dispatcher, in_progress_ticket, new_job, technician, walk_to

pytestmark = pytest.mark.django_db


def test_the_technician_reads_and_marks_the_suggestions_from_his_work_order():
    handler, boss, tech = agent(), dispatcher(), technician()
    ticket, measure = in_progress_ticket(actor=handler)
    article = published(title="空调室内机漏水的排查", keywords="漏水")  # the ticket says 空调漏水
    job = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=boss, tech=tech)
    client = client_for_language(tech)
    assert client.get(reverse("tickets:detail", args=[ticket.number])).status_code == 404  # not his to open
    page = client.get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    panel_url = reverse("fieldservice:knowledge_panel", args=[job.number])
    assert f'hx-get="{panel_url}"' in page and reverse("knowledge:ticket_panel", args=[ticket.number]) not in page
    panel = client.get(panel_url, HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in html
    assert "空调室内机漏水的排查" in html
    solved = reverse("fieldservice:knowledge_solved", args=[job.number, article.pk])
    assert solved in html
    assert client.post(solved).url == reverse("fieldservice:detail", args=[job.number])
    assert ArticleFeedback.objects.filter(article=article, ticket=ticket, user=tech).exists()
    assert 'data-test-id="kb-solved-here"' in client.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    # Without htmx the link opens the panel as a page of its own, with the way back.
    full = client.get(panel_url).content.decode()
    assert "<html" in full and reverse("fieldservice:detail", args=[job.number]) in full


def test_another_technician_gets_404_from_the_panel_and_the_solved_form():
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler)
    article = published(title="排查", keywords="排查", product_model_ids=[ProductModelFactory().pk])
    job = walk_to(new_job(handler=handler, measure=measure), "accepted", boss=boss, tech=tech)
    stranger = client_for_language(technician())
    assert stranger.get(reverse("fieldservice:knowledge_panel", args=[job.number])).status_code == 404
    assert stranger.post(reverse("fieldservice:knowledge_solved", args=[job.number, article.pk])).status_code == 404
    assert not ArticleFeedback.objects.exists()
