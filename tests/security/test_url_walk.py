"""Issue 21, item 1: every URL pattern and every API operation, walked as each role and as another
region's and another customer's user — generated from Django's URL resolver and from the OpenAPI
document, so an endpoint added later is walked without anyone writing a test for it.

What is checked for every GET:
- nothing answers 500 (the parameters are real objects of another region/customer, or ids that
  do not exist);
- a page or operation that names a ticket (``<number>``) of another region answers a regional
  agent, technician and supervisor of this region with a refusal (403/404, or a redirect away) —
  never 200 with the ticket;
- the same for a customer asking for another customer's ticket;
- a customer gets no staff page: every page outside the customer's own areas is refused;
- an anonymous visitor gets no page with data: a redirect to sign in, 401/403/404, or a page of
  the public list (sign-in, password reset, health, language switch).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from aftersales.accounts.models import DataScope, Role
from aftersales.api.api import api
from aftersales.customers.models import Customer
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

# Never walked: signing out ends the session; Django's admin has its own permission system and
# test suite; static and media files are not views of ours.
SKIP = re.compile(r"^/(admin/|static/|media/|accounts/logout|i18n/)")
# What an anonymous visitor may open (each without personal data): signing in, and the portal's
# sign-up, sign-in by SMS code and privacy notice (docs/portal.md, "Getting an account").
PUBLIC = re.compile(
    r"^/(accounts/(login|password)|portal/(signup/$|signin/code/$|privacy-notice/$)|healthz|readyz|api/v1/(docs|openapi\.json)|$)"
)
# The customer's own areas: the portal, their account, their personal data, survey links.
CUSTOMER_AREAS = re.compile(r"^/(portal/|accounts/|privacy/mine|feedback/|notifications/|api/v1/|healthz|readyz|$)")
REFUSED = {302, 401, 403, 404, 405}
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
API_PARAM = re.compile(r"\{(\w+)\}")
MISSING_ID = "987654"


def _patterns(resolvers: list, prefix: str = "") -> Iterator[str]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if not route.startswith("^") and "(?P" not in route:  # regex routes are Django's own
                yield "/" + route


def _routes() -> list[str]:
    return sorted({r for r in _patterns(get_resolver().url_patterns) if not SKIP.match(r) and not r.startswith("/api/")})


def _fill(route: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name, conv = match.group("name"), match.group("conv") or "str"
        if name in values:
            return values[name]
        if conv == "int":
            return MISSING_ID
        if conv == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        return "x" + MISSING_ID

    return PARAM.sub(one, route)


@pytest.fixture
def world():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    west_ticket = make_ticket(region=west, phone="13911112222", customer_name="西区客户")
    owner = Customer.objects.get(pk=west_ticket.customer_id)
    owner_user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username="west.owner")
    owner.user = owner_user
    owner.save(update_fields=["user"])
    other_customer_ticket = make_ticket(region=east, phone="13933334444", customer_name="东区客户")
    stranger = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username="east.stranger")
    stranger_customer = Customer.objects.get(pk=other_customer_ticket.customer_id)
    stranger_customer.user = stranger
    stranger_customer.save(update_fields=["user"])
    staff = {
        role: UserFactory(role=role, data_scope=DataScope.REGION, region=east, username=f"east.{role}")
        # The roles whose data scope is a region (the others' pages are refused or regional alike).
        for role in (Role.AGENT, Role.TECHNICIAN, Role.SUPERVISOR)
    }
    return {"west_ticket": west_ticket, "stranger": stranger, "staff": staff}


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _get(client: Client, url: str) -> int:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code


def test_the_walk_covers_the_product():
    routes = _routes()
    assert len(routes) > 150  # the whole product, not an empty resolver
    assert any("<str:number>" in r for r in routes)
    assert len(api.get_openapi_schema()["paths"]) > 100


def test_no_page_answers_500_and_another_regions_ticket_is_refused(world):
    number = world["west_ticket"].number
    problems: list[str] = []
    for role, user in world["staff"].items():
        client = _client(user)
        for route in _routes():
            url = _fill(route, {"number": number})
            status = _get(client, url)
            if status >= 500:
                problems.append(f"{role} {url}: {status}")
            elif "<str:number>" in route and status == 200:
                problems.append(f"{role} {url}: 200 for another region's ticket")
    assert not problems, "\n".join(problems)


def test_a_customer_sees_no_staff_page_and_not_another_customers_ticket(world):
    number = world["west_ticket"].number
    client = _client(world["stranger"])
    problems: list[str] = []
    for route in _routes():
        url = _fill(route, {"number": number})
        status = _get(client, url)
        if status >= 500:
            problems.append(f"{url}: {status}")
        elif status == 200 and ("<str:number>" in route or not CUSTOMER_AREAS.match(url)):
            problems.append(f"{url}: 200")
    assert not problems, "\n".join(problems)


def test_an_anonymous_visitor_gets_only_the_public_pages(world):
    number = world["west_ticket"].number
    client = _client()
    problems: list[str] = []
    for route in _routes():
        url = _fill(route, {"number": number})
        status = _get(client, url)
        if status >= 500 or (status == 200 and not PUBLIC.match(url)):
            problems.append(f"{url}: {status}")
    assert not problems, "\n".join(problems)


def _api_gets() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(path for path, operations in paths.items() if "get" in operations)


def test_every_api_read_refuses_another_regions_ticket_and_never_fails(world):
    number = world["west_ticket"].number
    problems: list[str] = []
    callers = [*world["staff"].items(), ("customer", world["stranger"])]
    for role, user in callers:
        client = _client(user)
        for path in _api_gets():
            names = API_PARAM.findall(path)
            url = API_PARAM.sub(lambda m: number if m.group(1) == "number" else MISSING_ID, path)
            status = _get(client, url)
            if status >= 500:
                problems.append(f"{role} GET {url}: {status}")
            elif "number" in names and status == 200:
                problems.append(f"{role} GET {url}: 200 for another region's/customer's ticket")
    assert not problems, "\n".join(problems)


def test_anonymous_api_reads_are_refused(world):
    client = _client()
    problems = []
    for path in _api_gets():
        if path in ("/api/v1/openapi.json", "/api/v1/docs"):
            continue
        url = API_PARAM.sub(MISSING_ID, path)
        status = _get(client, url)
        if status not in {401, 403, 404}:
            problems.append(f"GET {url}: {status}")
    assert not problems, "\n".join(problems)
