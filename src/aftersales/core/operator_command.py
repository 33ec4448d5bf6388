"""The base of the ``manage.py`` commands an administrator runs by hand: they speak the
operator's language.

``--language`` (``zh-hans``, ``en``; default ``settings.LANGUAGE_CODE``, the language active
under ``manage.py``; from ``call_command`` the caller's active language) picks the language of
what the command prints, its errors included, and of its ``--help`` (``--language en --help``
is read before the help is printed). ``help`` is a plain ``str`` said in the active language:
argparse cannot format a lazy text, so a subclass sets ``help_text`` (``gettext_lazy``) and the
``help`` property renders it; argument helps may be lazy (``lazy_help``)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def lazy_help(text: Promise | str) -> str:
    """An argument's help translated lazily where argparse wants a ``str``: it is said in the
    language active when the help is printed."""
    return cast(str, text)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _language_in(argv: list[str]) -> str:
    """The ``--language`` given on the command line ("" when none), read before argparse so
    that ``--help`` is printed in it too."""
    for index, arg in enumerate(argv):
        if arg.startswith("--language="):
            value = arg.split("=", 1)[1]
        elif arg == "--language" and index + 1 < len(argv):
            value = argv[index + 1]
        else:
            continue
        return value if value in languages() else ""
    return ""


class OperatorCommand(BaseCommand):
    """A command for administrators: ``--language``, output in that language."""

    help_text: Promise | str = ""

    @property
    def help(self) -> str:  # type: ignore[override]  # argparse's description wants a str, in the active language
        return str(self.help_text)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--language",
            default=None,
            choices=languages(),
            help=lazy_help(_("The language of the output, one of %(choices)s (default: the site's language).")),
        )
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        with translation.override(_language_in(argv) or translation.get_language() or settings.LANGUAGE_CODE):
            super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(options.get("language") or translation.get_language() or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)
