"""Every ``manage.py`` command of the project prints its ``--help`` in both languages (a lazy
text as a class-level ``help`` or as an argument's help would crash argparse), and the commands
an administrator runs by hand (``core.operator_command``) say it, and what they print, in the
operator's language: ``--language``, default the site's language."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.utils import translation

from aftersales.core.operator_command import OperatorCommand

PROJECT_COMMANDS = sorted((name, app) for name, app in get_commands().items() if app.startswith("aftersales."))
HAN = re.compile(r"[\u4e00-\u9fff]")
OPERATOR_COMMANDS = {
    "assign_regions",
    "backup",
    "create_administrator",
    "import_data",
    "rebuild_search_grams",
    "rebuild_ticket_counts",
    "restore",
}


def _help(app: str, name: str, language: str) -> str:
    with translation.override(language):
        return load_command_class(app, name).create_parser("manage.py", name).format_help()


def test_the_project_has_its_commands():
    names = {name for name, _app in PROJECT_COMMANDS}
    assert OPERATOR_COMMANDS | {"api_key", "worker", "scheduler"} <= names


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("name", "app"), PROJECT_COMMANDS)
def test_every_command_prints_its_help(name, app, language):
    text = _help(app, name, language)
    assert f"manage.py {name}" in text


@pytest.mark.parametrize("name", sorted(OPERATOR_COMMANDS))
def test_an_operators_command_speaks_both_languages(name):
    app = get_commands()[name]
    assert isinstance(load_command_class(app, name), OperatorCommand)
    english, chinese = _help(app, name, "en"), _help(app, name, "zh-hans")
    assert "--language" in english and "--language" in chinese
    assert "the site's language" in english
    assert not HAN.search(english.replace("王磊", ""))  # the sample name of --display-name is a name
    assert HAN.search(chinese) and english != chinese


def test_language_on_the_command_line_picks_the_help_language(capsys):
    command = load_command_class("aftersales.tickets", "rebuild_ticket_counts")
    for language, expected in (("en", "Recompute the dashboard's ticket counts"), ("zh-hans", "重新计算")):
        with pytest.raises(SystemExit):
            command.run_from_argv(["manage.py", "rebuild_ticket_counts", "--language", language, "--help"])
        assert expected in capsys.readouterr().out


@pytest.mark.django_db
def test_the_output_follows_language():
    out = io.StringIO()
    call_command("rebuild_ticket_counts", "--language", "en", stdout=out)
    assert "ticket counts rebuilt" in out.getvalue()
    out = io.StringIO()
    call_command("rebuild_ticket_counts", language="zh-hans", stdout=out)
    assert HAN.search(out.getvalue()) and "rebuilt" not in out.getvalue()
