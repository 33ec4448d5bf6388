"""A member of staff leaves: hand their work over and deactivate the account (员工离职交接,
docs/staff-handover.md).

``staff_holdings`` is the preview: what the person holds, a count per kind, asked of every app
through ``effects.STAFF_HOLDINGS``. ``staff_offboard`` is the one door of the handover, in one
transaction: the person's row (and the successor's) locked in key order, every app moving its
items through ``effects.STAFF_LEAVING`` (each with its own services: timeline, audit,
notifications as for a change by hand), then the account deactivated, every session of it ended
and one audit row ``account.offboarded`` (``effects.STAFF_OFFBOARDED``: the reason, the
successor, the counts moved and those left for attention). A receiver that fails undoes it all.

Administrators (and superusers) only; nobody offboards themselves; a superuser only by a
superuser. An account already inactive (deactivated in the administration before it refused to
strand work, or by another path) is handed over the same way, if it still holds work that a
handover moves; it stays inactive. One that holds nothing to move is a conflict
(``already_inactive``): a second click or a retried request moves nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .effects import STAFF_HOLDINGS, STAFF_LEAVING, STAFF_OFFBOARDED
from .handover import Holding, counts, flatten
from .models import Role, Team, User
from .sessions import sign_out_everywhere

REASON_LIMIT = 1000


@dataclass(frozen=True)
class StaffHoldings:
    """What ``user`` holds now, in the hook's order (kinds with nothing held included, count 0)."""

    user: User
    holdings: list[Holding]

    @property
    def total(self) -> int:
        return sum(h.count for h in self.holdings)


@dataclass(frozen=True)
class Offboarded:
    """The handover's result: ``user`` (now inactive), the ``successor`` and what each app did;
    ``was_active`` False when the account was inactive already (only its work was handed over)."""

    user: User
    successor: User | None
    holdings: list[Holding]
    was_active: bool = True

    @property
    def moved(self) -> list[Holding]:
        return [h for h in self.holdings if h.moved and h.count]

    @property
    def attention(self) -> list[Holding]:
        return [h for h in self.holdings if not h.moved and h.count]


def may_offboard(user: User) -> bool:
    """Administrators and superusers hand over and deactivate staff."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_customer
        and (user.is_superuser or user.role == Role.ADMINISTRATOR)
    )


def _check_actor(actor: User) -> None:
    if not may_offboard(actor):
        raise PermissionDenied(_("Only administrators hand over and deactivate staff."), code="offboard_not_allowed")


def _staff(user_id: int) -> User:
    person = User.objects.select_related("team", "region").filter(pk=user_id).exclude(role=Role.CUSTOMER).first()
    if person is None:
        raise NotFound(_("No member of staff has this id."), code="staff_not_found")
    return person


def own_holdings(user: User) -> list[Holding]:
    """What the accounts app itself holds of the person: teams they lead (a team needs a leader
    who works here: the outlet's dispatcher, who decides the members' advances). Not moved."""
    led = Team.objects.filter(leader=user).count()
    url = reverse("admin:accounts_team_changelist") + f"?leader__id__exact={user.pk}"
    return [Holding(kind="teams_led", label=_("Teams led: name a new leader"), count=led, url=url, moved=False)]


def holdings_of(user: User) -> list[Holding]:
    """What ``user`` holds now, every kind (count 0 included), without the actor's check: the
    preview's list, and the administration's refusal to deactivate someone who holds work."""
    return [*flatten(STAFF_HOLDINGS.send(user=user)), *own_holdings(user)]


def held(holdings: list[Holding]) -> list[Holding]:
    """The kinds actually held (a count above 0)."""
    return [h for h in holdings if h.count]


def movable(holdings: list[Holding]) -> list[Holding]:
    """What a handover moves (held, and not left for a person's attention)."""
    return [h for h in holdings if h.count and h.moved]


def staff_holdings(*, actor: User, user_id: int) -> StaffHoldings:
    """The preview of the handover: what the member of staff ``user_id`` holds (one count per
    kind). Administrators only; ``NotFound`` for an unknown id or a customer."""
    _check_actor(actor)
    person = _staff(user_id)
    return StaffHoldings(user=person, holdings=holdings_of(person))


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": [_("Say why the person leaves (kept in the audit log).")]}, code="reason_required")
    if len(text) > REASON_LIMIT:
        raise ValidationFailed({"reason": [_("At most %(limit)d characters.") % {"limit": REASON_LIMIT}]}, code="reason_too_long")
    return text


def _lock(person: User, successor_id: int | None) -> tuple[User, User | None]:
    """Lock the person's row and the successor's, in ascending key order. An inactive person is
    handed over only if they still hold something a handover moves (read under the lock: of two
    concurrent handovers the second finds nothing left and is refused)."""
    ids = sorted({person.pk, *([successor_id] if successor_id is not None else [])})
    # NO KEY: two offboardings of one person still queue, but a row the person's own work inserts
    # meanwhile (a part fitted on their job refers to their user row: a key-share lock) does not
    # deadlock with the handover (tests/parts/test_handover_van_pg.py).
    rows = {u.pk: u for u in User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")}
    locked = rows[person.pk]
    if not locked.is_active and not movable(holdings_of(locked)):
        raise Conflict(_("%(name)s is inactive already: nothing to hand over.") % {"name": locked}, code="already_inactive")
    if successor_id is None:
        return locked, None
    successor = rows.get(successor_id)
    if successor is not None and successor.pk == locked.pk:
        raise ValidationFailed({"successor": [_("The successor cannot be the person who leaves.")]}, code="successor_is_leaver")
    if successor is None or successor.is_customer or not successor.is_active:
        raise ValidationFailed({"successor": [_("Choose an active member of staff.")]}, code="successor_invalid")
    return locked, successor


@transaction.atomic
def staff_offboard(*, actor: User, user_id: int, successor_id: int | None = None, reason: str) -> Offboarded:
    """Hand the work of the member of staff ``user_id`` over to ``successor_id`` (or back to the
    queues), deactivate the account and end every session of it, in one transaction. An account
    already inactive that still holds work has it handed over the same way (and stays inactive).

    Refusals: ``PermissionDenied`` (not an administrator, oneself, a superuser by a
    non-superuser), ``NotFound`` (no such member of staff), ``ValidationFailed`` (``reason``
    missing or too long; ``successor`` not an active member of staff, or the person),
    ``Conflict`` (inactive already, with nothing left that a handover moves)."""
    _check_actor(actor)
    person = _staff(user_id)
    if person.pk == actor.pk:
        raise PermissionDenied(_("You cannot hand over and deactivate your own account."), code="offboard_self")
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser deactivates a superuser."), code="offboard_superuser")
    text = _reason(reason)
    locked, successor = _lock(person, successor_id)
    was_active = locked.is_active
    now = clock.now()
    holdings = [*flatten(STAFF_LEAVING.send(user=locked, successor=successor, actor=actor, now=now)), *own_holdings(locked)]
    User.objects.filter(pk=locked.pk).update(is_active=False)
    locked.is_active = False
    sign_out_everywhere(user=locked)
    STAFF_OFFBOARDED.send(
        user=locked,
        actor=actor,
        successor=successor,
        reason=text,
        moved=counts(holdings, moved=True),
        attention=counts(holdings, moved=False),
        was_active=was_active,
    )
    return Offboarded(user=locked, successor=successor, holdings=holdings, was_active=was_active)
