import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    # Django's own translation of the username label proves the active language is Chinese.
    assert "用户名" in html
    assert 'data-test-id="language-switch"' in html
    # Each language is offered in its own name, whatever the page's language.
    assert ">English</button>" in html
    assert ">简体中文</button>" in html


def test_login_page_switches_to_english_with_the_language_form(client):
    login_url = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login_url})
    assert response.status_code == 302
    assert response.url == login_url
    html = client.get(login_url).content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html
    assert "用户名" not in html


def test_agent_signs_in_and_lands_on_their_workbench(client):
    agent = UserFactory(username="zhangsan")
    response = client.post(reverse("accounts:login"), {"username": "zhangsan", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("desk:home")  # every role's page: tests/web/test_role_homes.py
    assert 'data-test-id="workbench"' in response.content.decode()
    assert response.context["user"] == agent


def test_wrong_password_shows_an_error_not_a_crash(client):
    UserFactory(username="lisi")
    response = client.post(reverse("accounts:login"), {"username": "lisi", "password": "wrong"})
    assert response.status_code == 200
    assert 'data-test-id="login-error"' in response.content.decode()


def test_logout_needs_post_and_signs_out(agent_client):
    assert agent_client.get(reverse("accounts:logout")).status_code == 405
    response = agent_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert agent_client.get(reverse("tickets:list")).status_code == 302  # back to the login page


def test_ticket_pages_need_login(client):
    response = client.get(reverse("tickets:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
