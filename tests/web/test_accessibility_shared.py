"""The shared accessibility fixes (WCAG 2.1 AA audit): the skip link and the main landmark, the
status region that app.js fills after an htmx swap, flash messages that take the focus, radio and
check-box groups in a fieldset with a legend, the phone menu as a disclosure button, and the
stylesheet's contrast and touch-target rules."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from tests.clients import client_for_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _body(html: str) -> str:
    return html[html.index("<body") :]


@pytest.mark.parametrize(("language", "skip"), [("zh-hans", "跳到主要内容"), ("en", "Skip to content")])
@pytest.mark.parametrize("role", [Role.AGENT, Role.CUSTOMER, Role.TECHNICIAN])
def test_every_page_starts_with_a_skip_link_to_the_main_content(role, language, skip):
    user = UserFactory(role=role, data_scope=DataScope.OWN)
    html = client_for_language(user, language).get(reverse("accounts:security")).content.decode()
    body = _body(html)
    first = re.search(r"<body[^>]*>\s*(<a [^>]*>[^<]*</a>)", body)
    assert first is not None, body[:400]
    assert first.group(1) == f'<a class="skip-link" href="#main" data-test-id="skip-link">{skip}</a>'
    assert re.search(r'<main class="page" id="main" tabindex="-1">', body)
    assert body.count('id="main"') == 1


def test_the_status_region_is_on_every_page_outside_the_main_content():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    html = client_for_language(agent, "en").get(reverse("tickets:list")).content.decode()
    region = '<div id="sr-status" role="status" aria-live="polite" class="visually-hidden" data-test-id="sr-status"></div>'
    assert html.count(region) == 1
    assert html.index(region) < html.index("<main")  # never inside a block an htmx swap replaces


def test_no_inline_script_on_the_page_for_the_strict_csp():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    html = client_for_language(agent, "en").get(reverse("tickets:list")).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts


def _page_with_messages(texts: list[str]) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override("en"):
        return render_to_string("404.html", {"messages": [Message(constants.SUCCESS, t) for t in texts]}, request=request)


def test_flash_messages_are_a_focusable_list_that_app_js_focuses_on_load():
    html = _page_with_messages(["The remedy was recorded."])
    tag = re.search(r'<ul class="messages"[^>]*>', html)
    assert tag is not None
    assert 'tabindex="-1"' in tag.group(0) and "data-focus-on-load" in tag.group(0)
    assert 'aria-label="Messages"' in tag.group(0)
    assert "The remedy was recorded." in html
    assert "data-focus-on-load" not in _page_with_messages([])  # no list, nothing to focus


class _GroupForm(forms.Form):
    remedy = forms.ChoiceField(
        label="Remedy", choices=[("a", "Return"), ("b", "Exchange")], widget=forms.RadioSelect, help_text="Pick one."
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes", choices=[("r", "Read"), ("w", "Write")], widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(label="Note", required=False)


def _field(form: forms.Form, name: str) -> str:
    return render_to_string("includes/field.html", {"field": form[name]})


def test_a_radio_group_is_a_fieldset_named_by_its_legend_with_its_help_and_error():
    form = _GroupForm(data={})
    assert not form.is_valid()
    html = _field(form, "remedy")
    assert html.strip().startswith('<fieldset class="field field-group has-error" data-test-id="field-remedy"')
    assert html.strip().endswith("</fieldset>")
    assert re.search(r"<legend>Remedy<span class=\"required\" aria-hidden=\"true\"> \*</span></legend>", html)
    described = re.search(r'<fieldset[^>]* aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_remedy_helptext", "id_remedy_error"]
    for ident in described:  # only ids that exist
        assert f'id="{ident}"' in html
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert len(radios) == 2 and all('aria-invalid="true"' in r for r in radios)
    assert '<label for="">' not in html  # the group has no single control to label


def test_a_check_box_group_without_help_or_error_names_no_missing_ids():
    form = _GroupForm()
    html = _field(form, "scopes")
    assert html.strip().startswith('<fieldset class="field field-group" data-test-id="field-scopes">')
    assert "aria-describedby" not in html and "aria-invalid" not in html
    assert "<legend>Scopes</legend>" in html and len(re.findall(r'type="checkbox"', html)) == 2


def test_other_fields_keep_their_label():
    html = _field(_GroupForm(), "note")
    assert html.strip().startswith('<div class="field" data-test-id="field-note">')
    assert '<label for="id_note">Note</label>' in html and "<fieldset" not in html


@pytest.mark.parametrize(("language", "menu"), [("zh-hans", "菜单"), ("en", "Menu")])
def test_the_phone_menu_is_a_disclosure_button_before_the_links(language, menu):
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    html = client_for_language(tech, language).get(reverse("accounts:security")).content.decode()
    toggle = html.index('<details class="nav-more" data-test-id="nav-more-toggle">')
    assert f'<summary data-test-id="nav-more">{menu}</summary></details>' in html
    assert toggle < html.index('data-test-id="site-nav"')  # precedes the nav it opens (CSS ~)
    assert 'type="checkbox"' not in html[html.index("<header") : html.index("</header>")]
    customer = UserFactory(role=Role.CUSTOMER)
    html = client_for_language(customer, language).get(reverse("accounts:security")).content.decode()
    assert 'data-test-id="nav-more"' not in html


def _css() -> str:
    path = finders.find("aftersales/app.css")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _contrast(one: str, two: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_stylesheet_meets_the_contrast_rules():
    css = _css()
    field_line = re.search(r"--field-line: (#[0-9a-f]{6})", css).group(1)
    assert _contrast(field_line, "#ffffff") >= 3
    assert "border: 1px solid var(--field-line); border-radius: var(--radius); background: #fff;" in css
    lang_border = re.search(r"\.lang-switch button \{[^}]*border: 1px solid (#[0-9a-f]{6})", css).group(1)
    assert _contrast(lang_border, "#1f2a3c") >= 3  # against the header
    muted = re.search(r"--muted: (#[0-9a-f]{6})", css).group(1)
    assert _contrast(muted, "#ffffff") >= 4.5
    assert ".zero { color: var(--muted); }" in css
    assert ".dashboard-grid td .zero { color: var(--muted); }" in css
    assert re.search(r"\.site-header a:focus-visible, \.site-header button:focus-visible[^{]*\{ outline: 2px solid #fff;", css)


def test_the_stylesheet_gives_phone_touch_targets_44_px():
    css = _css()
    phone = css[css.index("@media (max-width: 720px) {\n  .site-header") :]
    phone = phone[: phone.index("\n}\n")]
    assert (
        ".site-nav a, .header-tools button, .header-tools a { display: inline-flex; align-items: center; min-height: 44px; }"
        in phone
    )
    assert "input:not([type=radio]):not([type=checkbox]), select, button, .button, summary { min-height: 44px; }" in phone
    assert ".nav-more:not([open]) ~ .site-nav a:nth-child(n+4):not([data-test-id=nav-notifications]) { display: none; }" in phone
