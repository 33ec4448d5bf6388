"""The ticket list's saved views (我的视图): create, change, delete, reorder, the start view.

Only the owner changes a view; an administrator may also delete a view shared with others.
Every change is audited (``SavedViewAudit``). The search text of a view is not written into the
audit log (it may name a customer; the privacy erasure finds it in the view itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..audit_actions import SavedViewAudit
from ..models import SavedView, ViewSharing
from ..models.saved_view import NAME_MAX_LENGTH
from ..saved_view_filters import canonical_filters

MAX_VIEWS_PER_OWNER = 50
SHARE_WITH_EVERYONE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})

Filters = str | Mapping[str, Any]


def may_share_with_everyone(user: User) -> bool:
    return user.is_superuser or user.role in SHARE_WITH_EVERYONE_ROLES


def is_view_administrator(user: User) -> bool:
    """Who may delete a view another member of staff shared (administrators)."""
    return user.is_superuser or user.role == Role.ADMINISTRATOR


def sharing_choices(user: User) -> list[tuple[str, str]]:
    """The sharing ``user`` may choose (the forms offer these; the services check them)."""
    allowed = [ViewSharing.PRIVATE]
    if user.team_id:
        allowed.append(ViewSharing.TEAM)
    if may_share_with_everyone(user):
        allowed.append(ViewSharing.EVERYONE)
    return [(str(value), str(value.label)) for value in allowed]


def _require_staff(user: User) -> None:
    if not user.is_authenticated or user.is_customer or not user.is_active:
        raise PermissionDenied(_("Only staff keep views of the ticket list."), code="staff_only")


def _clean_name(name: str | None) -> str:
    text = " ".join((name or "").replace("\x00", " ").split())  # no NUL: PostgreSQL stores no text with one
    if not text:
        raise ValidationFailed({"name": [_("Give the view a name.")]}, code="saved_view_name_required")
    if len(text) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            {"name": [_("The name is too long: at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]},
            code="saved_view_name_too_long",
        )
    return text


def _clean_sharing(user: User, sharing: str | None) -> ViewSharing:
    try:
        value = ViewSharing(sharing or ViewSharing.PRIVATE)
    except ValueError:
        raise ValidationFailed(
            {"sharing": [_("Choose whom to share the view with: only you, your team or all staff.")]},
            code="saved_view_sharing_invalid",
        ) from None
    if value == ViewSharing.TEAM and not user.team_id:
        raise ValidationFailed(
            {"sharing": [_("You belong to no team: the view cannot be shared with a team.")]}, code="saved_view_no_team"
        )
    if value == ViewSharing.EVERYONE and not may_share_with_everyone(user):
        raise ValidationFailed(
            {"sharing": [_("Only supervisors and administrators share views with all staff.")]},
            code="saved_view_sharing_not_allowed",
        )
    return value


def _parsed(filters: Filters) -> Mapping[str, Any]:
    if isinstance(filters, str):
        return QueryDict(filters.lstrip("?"))
    return filters


def _name_taken(owner: User, name: str, *, exclude: int | None = None) -> bool:
    same = SavedView.objects.filter(owner=owner, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    return same.exists()


def _duplicate_name() -> ValidationFailed:
    return ValidationFailed({"name": [_("You already have a view with this name.")]}, code="saved_view_name_taken")


def _require_owner(actor: User, view: SavedView) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the person who saved this view may change it."), code="saved_view_not_owner")


def _lock(view: SavedView, expected_version: int | None) -> SavedView:
    try:
        locked = SavedView.objects.select_for_update().get(pk=view.pk)
    except SavedView.DoesNotExist:
        raise NotFound(_("This view no longer exists."), code="saved_view_not_found") from None
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            _("The view was changed since you opened it; reload it and try again."), code="stale_version", field="version"
        )
    return locked


@transaction.atomic
def saved_view_create(*, actor: User, name: str, filters: Filters, sharing: str = ViewSharing.PRIVATE) -> SavedView:
    """Save the list's ``filters`` (a query string or parameters) under ``name``, last in the
    owner's bar. Refused, naming the field: an empty, too long or already used name, filters the
    list does not accept, a sharing the owner may not choose, more than ``MAX_VIEWS_PER_OWNER``."""
    _require_staff(actor)
    clean_name = _clean_name(name)
    clean_filters, search = canonical_filters(_parsed(filters))
    clean_sharing = _clean_sharing(actor, sharing)
    mine = SavedView.objects.filter(owner=actor)
    if mine.count() >= MAX_VIEWS_PER_OWNER:
        raise ValidationFailed(
            {"name": [_("You have %(max)d views already: delete one first.") % {"max": MAX_VIEWS_PER_OWNER}]},
            code="saved_view_limit",
        )
    if _name_taken(actor, clean_name):
        raise _duplicate_name()
    last = mine.aggregate(last=Max("position"))["last"]
    now = clock.now()
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                owner=actor,
                name=clean_name,
                filters=clean_filters,
                search=search,
                sharing=clean_sharing,
                position=0 if last is None else last + 1,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise _duplicate_name() from None
    audit_record(
        action=SavedViewAudit.CREATED,
        obj=view,
        actor=actor,
        changes={"filters": clean_filters, "search": bool(search), "sharing": str(clean_sharing)},
    )
    return view


@transaction.atomic
def saved_view_update(
    *,
    actor: User,
    view: SavedView,
    name: str | None = None,
    filters: Filters | None = None,
    sharing: str | None = None,
    expected_version: int | None = None,
) -> SavedView:
    """Rename a view, share it otherwise or change its filters (``None``: unchanged). Only its
    owner; the same rules as ``saved_view_create``; ``expected_version``: a stale edit is a
    ``Conflict``."""
    _require_staff(actor)
    _require_owner(actor, view)
    locked = _lock(view, expected_version)
    changes: dict[str, Any] = {}
    if name is not None:
        clean_name = _clean_name(name)
        if clean_name != locked.name:
            if _name_taken(actor, clean_name, exclude=locked.pk):
                raise _duplicate_name()
            changes["name"] = [locked.name, clean_name]
            locked.name = clean_name
    if sharing is not None and (sharing or ViewSharing.PRIVATE) != locked.sharing:  # unchanged: not judged again
        clean_sharing = _clean_sharing(actor, sharing)
        changes["sharing"] = [locked.sharing, str(clean_sharing)]
        locked.sharing = clean_sharing
    if filters is not None:
        clean_filters, search = canonical_filters(_parsed(filters))
        if clean_filters != locked.filters:
            changes["filters"] = [locked.filters, clean_filters]
            locked.filters = clean_filters
        if search != locked.search:
            changes["search"] = "changed"  # what was typed stays out of the log
            locked.search = search
    if not changes:
        return locked
    locked.version += 1
    locked.updated_at = clock.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["name", "sharing", "filters", "search", "version", "updated_at"])
    except IntegrityError:
        raise _duplicate_name() from None
    audit_record(action=SavedViewAudit.UPDATED, obj=locked, actor=actor, changes=changes)
    return locked


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView, expected_version: int | None = None) -> None:
    """Delete a view: its owner, or an administrator when it is shared with others."""
    _require_staff(actor)
    if view.owner_id != actor.pk and not (view.sharing != ViewSharing.PRIVATE and is_view_administrator(actor)):
        _require_owner(actor, view)
    locked = _lock(view, expected_version)
    audit_record(
        action=SavedViewAudit.DELETED,
        obj=locked,
        actor=actor,
        changes={"owner": locked.owner_id, "name": locked.name, "sharing": locked.sharing},
    )
    locked.delete()


@transaction.atomic
def saved_views_reorder(*, actor: User, order: Sequence[int]) -> list[SavedView]:
    """Put the actor's views in ``order`` (their ids, each once; views left out follow in their
    present order). An id that is not one of the actor's views is refused."""
    _require_staff(actor)
    mine = list(SavedView.objects.select_for_update().filter(owner=actor).order_by("position", "pk"))
    by_id = {view.pk: view for view in mine}
    ids = list(order)
    if len(set(ids)) != len(ids) or any(pk not in by_id for pk in ids):
        raise ValidationFailed({"order": [_("List each of your own views at most once.")]}, code="saved_view_order_invalid")
    ordered = [by_id[pk] for pk in ids] + [view for view in mine if view.pk not in set(ids)]
    before = [view.pk for view in mine]
    moved = []
    for position, view in enumerate(ordered):
        if view.position != position:
            view.position = position
            view.version += 1
            moved.append(view)
    if moved:
        SavedView.objects.bulk_update(moved, ["position", "version"])
        audit_record(
            action=SavedViewAudit.REORDERED,
            obj=actor,
            actor=actor,
            changes={"order": [before, [view.pk for view in ordered]]},
        )
    return ordered


@transaction.atomic
def saved_view_move(*, actor: User, view: SavedView, offset: int) -> list[SavedView]:
    """Move one of the actor's views ``offset`` places (-1: up, 1: down) in their bar; at either
    end it stays where it is."""
    _require_staff(actor)
    _require_owner(actor, view)
    mine = SavedView.objects.select_for_update().filter(owner=actor).order_by("position", "pk")
    ids = list(mine.values_list("pk", flat=True))
    if view.pk not in ids:
        raise NotFound(_("This view no longer exists."), code="saved_view_not_found")
    index = ids.index(view.pk)
    target = index + offset
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return saved_views_reorder(actor=actor, order=ids)


@transaction.atomic
def saved_view_set_start(*, actor: User, view: SavedView | None) -> SavedView | None:
    """Make ``view`` (one of the actor's) the view the plain ticket list opens; ``None``: none."""
    _require_staff(actor)
    if view is not None:
        _require_owner(actor, view)
    current = list(SavedView.objects.select_for_update().filter(owner=actor, is_start=True))
    if view is not None and [v.pk for v in current] == [view.pk]:
        return view
    now = clock.now()
    for old in current:
        SavedView.objects.filter(pk=old.pk).update(is_start=False, updated_at=now)
    chosen = None
    if view is not None:
        chosen = _lock(view, None)
        chosen.is_start, chosen.updated_at = True, now
        chosen.save(update_fields=["is_start", "updated_at"])
    audit_record(
        action=SavedViewAudit.START_SET,
        obj=chosen or actor,
        actor=actor,
        changes={"start": [current[0].pk if current else None, chosen.pk if chosen else None]},
    )
    return chosen
