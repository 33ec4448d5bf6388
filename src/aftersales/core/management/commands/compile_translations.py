"""Compile the project's .po catalogues into .mo files with polib.

Django's own ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh machine with only
Python may not have; this command needs nothing but the pinned Python packages.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (no gettext tools needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                counts = Counter((entry.msgctxt, entry.msgid) for entry in catalogue)
                twice = sorted(msgid for (_context, msgid), n in counts.items() if n > 1)
                if twice:
                    # GNU msgfmt refuses a catalogue with a message twice; polib would silently keep one.
                    raise CommandError(f"{po_path}: messages defined twice: {twice[:10]}")
                # Always rebuilt: it takes milliseconds, and file times after a checkout prove
                # nothing. Written beside and moved into place: a running server (or a test pass
                # started beside this one) never reads a half-written catalogue.
                mo_path = po_path.with_suffix(".mo")
                partial = mo_path.with_name(f".{os.getpid()}.{mo_path.name}")
                catalogue.save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                compiled += 1
                self.stdout.write(f"compiled {_shown(po_path)} ({catalogue.percent_translated()}% translated)")
        if compiled == 0:
            self.stdout.write("no translation catalogues found")


def _shown(path: Path) -> Path:
    """The catalogue's path from the project's root when it is inside it."""
    return path.relative_to(settings.BASE_DIR) if path.is_relative_to(settings.BASE_DIR) else path
