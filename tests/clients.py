"""Signed-in test clients for the pages (the API's key clients are ``tests.api.conftest.api_client``)."""

from __future__ import annotations

from django.test import Client

from aftersales.accounts.models import User


def client_for(user: User) -> Client:
    """A client signed in as ``user`` that asks for no language (no cookie, no Accept-Language)."""
    client = Client()
    client.force_login(user)
    return client


def client_for_language(user: User, language: str = "zh-hans") -> Client:
    """A client signed in as ``user`` that asks for ``language`` as a browser would: the
    ``django_language`` cookie (the language switch) and ``Accept-Language``."""
    client = Client(headers={"Accept-Language": language})
    client.cookies["django_language"] = language
    client.force_login(user)
    return client
