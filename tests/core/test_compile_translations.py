"""``manage.py compile_translations``: builds the .mo files and refuses a catalogue that defines a message twice."""

import pytest
from django.core.management import CommandError, call_command

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _catalogue(tmp_path, body: str):
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(HEADER + body, encoding="utf-8")
    return folder


def test_it_compiles_a_catalogue(settings, tmp_path):
    folder = _catalogue(tmp_path, 'msgid "Appraiser"\nmsgstr "鉴定员"\n')
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations")
    assert (folder / "django.mo").stat().st_size > 0


def test_a_message_defined_twice_is_refused(settings, tmp_path):
    folder = _catalogue(tmp_path, 'msgid "Appraiser"\nmsgstr "鉴定员"\n\nmsgid "Appraiser"\nmsgstr "评估员"\n')
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match="Appraiser"):
        call_command("compile_translations")
    assert not (folder / "django.mo").exists()
