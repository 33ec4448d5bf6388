"""The Jinja2 environment of the second template engine (settings.TEMPLATES "jinja2").

Used for the ticket list's rows and the ticket page's timeline items when
``settings.ROW_RENDERING == "jinja2"``, so both renderings can be compared from one tree
(decision 0006, issue 13). Its output is byte for byte what the Python renderers and Django's
templates write:

- values escape as Django's ``escape`` does (``html.escape``: ``"`` → ``&quot;``, ``'`` →
  ``&#x27;``), not as MarkupSafe does (``&#34;``, ``&#39;``): every ``{{ value }}`` goes through
  ``finalize``, which returns the value escaped that way as ``Markup`` (which autoescape then
  leaves alone), and the ``e``/``escape`` filters are the same function. Values that are already
  markup (Django's ``SafeString``, ``Markup``) stay as they are. One exception: Jinja2 folds
  a constant expression (``{{ "it's" }}``) at compile time with MarkupSafe's escaping, so
  write constant text as template text, not inside ``{{ }}``;
- ``_``, ``gettext`` and ``ngettext`` are Django's, so templates translate into the active
  language. The translations are text, escaped like any value (old-style gettext: no
  ``Markup`` around them).
"""

from __future__ import annotations

from html import escape as _html_escape
from typing import Any

from django.utils.translation import gettext, ngettext
from jinja2 import Environment
from markupsafe import Markup


def escape(value: Any) -> Any:
    """``value`` escaped as Django's templates escape it (``django.utils.html.escape``), as
    ``Markup``; a value that is already markup (``__html__``) as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(_html_escape(str(value)))  # noqa: S704 - escaped by html.escape


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)
    options["finalize"] = escape
    options["extensions"] = ["jinja2.ext.i18n", *options.get("extensions", ())]
    env = Environment(autoescape=True, **options)
    env.filters["e"] = env.filters["escape"] = escape
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=False)  # type: ignore[attr-defined]
    return env
