"""An import's statuses and the moves between them — the only place they are defined.

previewing (the file is read and checked) → previewed → committing (rows written in chunks) →
done; a failure in either pass → failed, from where a retry goes back to the pass that failed;
a previewed or failed import can be discarded.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import ImportStatus

S = ImportStatus

IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PREVIEWING: frozenset({S.PREVIEWED, S.FAILED}),
    S.PREVIEWED: frozenset({S.COMMITTING, S.DISCARDED}),
    S.COMMITTING: frozenset({S.DONE, S.FAILED}),
    S.FAILED: frozenset({S.PREVIEWING, S.COMMITTING, S.DISCARDED}),
    S.DONE: frozenset(),
    S.DISCARDED: frozenset(),
}

IMPORT_STATES = TransitionTable(_("import"), IMPORT_TRANSITIONS, labels=dict(ImportStatus.choices))
