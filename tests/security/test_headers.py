"""Issue 21, item 4: Cache-Control no-store on personal data (pages of signed-in users and the
API), a Content-Security-Policy without inline code, a Permissions-Policy. That every page of the
demo crawl keeps to the policy is checked by the crawl of tests/demo/test_one_language.py (the
demo set that tests/demo loads once for its package, as every role, in both languages)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from tests.factories import UserFactory


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


@pytest.mark.django_db
def test_a_signed_in_page_and_the_api_are_not_stored_and_carry_the_policies():
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = Client()
    client.force_login(user)
    for response in (client.get(reverse("tickets:list")), client.get("/api/v1/tickets")):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        policy = _csp(response)
        assert policy["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert policy["style-src"] == ["'self'"]
        assert policy["style-src-elem"] == ["'self'"]  # no <style> blocks, no foreign sheets
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "geolocation=(self)" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]
    # An API error (anonymous 401) holds no personal data but is not stored either.
    assert "no-store" in Client().get("/api/v1/tickets")["Cache-Control"]


@pytest.mark.django_db
def test_the_public_sign_in_page_has_the_policies_and_static_files_stay_cacheable():
    response = Client().get(reverse("accounts:login"))
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def test_the_policy_names_each_allowed_inline_handler_by_hash():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    for digest in settings.CSP_INLINE_HANDLER_HASHES:
        assert re.fullmatch(r"'sha256-[A-Za-z0-9+/=]{44}'", digest)
        assert digest in policy
        assert "'unsafe-hashes'" in policy
    if not settings.CSP_INLINE_HANDLER_HASHES:  # none left: no inline handler may run at all
        assert "'unsafe-hashes'" not in policy and not any(source.startswith("'sha256-") for source in policy)
