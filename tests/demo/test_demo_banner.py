"""The banner `make run` prints last (``manage.py demo_banner``): the site, all ten demo logins —
each of which really signs in and lands on a page — and the API key; it waits for the server
and a worker when asked, and says which one did not answer."""

import http.server
import threading
from io import StringIO

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.urls import reverse

from aftersales.accounts.models import Role, User
from aftersales.demo.api import DEMO_API_KEY
from aftersales.demo.banner import banner_text, demo_logins
from aftersales.demo.builders import DEMO_LOGINS, DemoLogin

pytestmark = pytest.mark.django_db

TEN_ROLES = [
    Role.ADMINISTRATOR,
    Role.SUPERVISOR,
    Role.AGENT,
    Role.TECHNICIAN,
    Role.WAREHOUSE,
    Role.APPRAISER,
    Role.FINANCE,
    Role.MARKETING,
    Role.QUALITY_ENGINEER,
    Role.CUSTOMER,
]


def _banner(*args: str) -> str:
    out = StringIO()
    call_command("demo_banner", *args, stdout=out)
    return out.getvalue()


def test_the_banner_lists_all_ten_logins_that_work_and_the_api_key(demo_output):
    logins = demo_logins()
    assert [item.login.role for item in logins] == TEN_ROLES
    assert all(item.works for item in logins)
    text = _banner("--url", "http://127.0.0.1:8123")
    assert "http://127.0.0.1:8123/" in text
    for login in DEMO_LOGINS:
        assert f"{login.username}" in text and login.password in text
    assert DEMO_API_KEY in text
    assert "var/log/" in text
    assert len(text.strip().splitlines()) <= 20, "a short banner: it must fit on a screen"


@pytest.mark.parametrize("username", [login.username for login in DEMO_LOGINS])
def test_every_banner_login_signs_in_and_lands_on_a_page(demo_output, client, username):
    login = next(item.login for item in demo_logins() if item.login.username == username and item.works)
    response = client.post(reverse("accounts:login"), {"username": login.username, "password": login.password}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated and response.wsgi_request.user.username == username
    home = client.get("/", follow=True)
    assert home.status_code == 200
    assert home.redirect_chain, "the home page sends each role to its own page"
    assert reverse("accounts:login") not in home.redirect_chain[-1][0]


def test_a_login_whose_password_was_changed_is_not_offered(demo_output):
    User.objects.filter(username="technician").update(password=make_password("someone-changed-it"))
    User.objects.filter(username="warehouse").update(is_active=False)
    text = _banner()
    assert "technician-demo-2026" not in text and "warehouse-demo-2026" not in text
    assert "admin-demo-2026" in text


def test_banner_text_puts_each_login_on_its_own_line_with_the_role_last():
    from aftersales.demo.banner import WorkingLogin

    logins = [
        WorkingLogin(DemoLogin("admin", "admin-demo-2026", Role.ADMINISTRATOR, "王磊"), True),
        WorkingLogin(DemoLogin("customer", "customer-demo-2026", Role.CUSTOMER, "赵敏"), False),
    ]
    text = banner_text(url="http://example.test:8000", logins=logins, api_key=None, log_dir="var/log/")
    lines = text.splitlines()
    admin = next(line for line in lines if line.lstrip().startswith("admin "))
    assert admin.split()[:2] == ["admin", "admin-demo-2026"] and "/admin/" in admin
    customer = next(line for line in lines if line.lstrip().startswith("customer "))
    assert "customer-demo-2026" not in customer
    assert "API key" not in text  # no key, no line
    assert "http://example.test:8000/api/v1/docs" in text
    assert lines[0] == lines[-1] and set(lines[0]) == {"─"}


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_waiting_ends_when_the_server_and_a_worker_answer(demo_output, health_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    text = _banner("--url", health_server, "--wait", "10")
    assert health_server in text and "admin-demo-2026" in text


def test_waiting_for_a_worker_that_never_answers_names_its_log(demo_output, health_server):
    # The tests' task backend records jobs and never runs them: like a worker that is not there.
    with pytest.raises(CommandError, match=r"worker\.log"):
        _banner("--url", health_server, "--wait", "0.5")


def test_waiting_for_a_server_that_is_not_there_names_its_log(demo_output, health_server):
    port = int(health_server.rstrip("/").rsplit(":", 1)[1])
    with pytest.raises(CommandError, match=r"web\.log"):
        _banner("--url", f"http://127.0.0.1:{port}/nothing-here", "--wait", "0.5")
