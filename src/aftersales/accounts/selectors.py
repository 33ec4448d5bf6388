"""Reads of the staff directory for administrators (the staff pages, ``staff_pages.py``): the
list with its filters, one person, and who may succeed a person who leaves."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import STAFF_ROLES, Role, User

SEARCH_LIMIT = 64


@dataclass(frozen=True)
class StaffFilters:
    role: str = ""  # a staff role, or "" for every role
    active: str = ""  # "yes", "no" or "" for both
    query: str = ""  # a part of the user name, name, e-mail or phone


def staff_list(*, filters: StaffFilters) -> QuerySet[User]:
    """Every member of staff (never a customer) matching ``filters``: the active first, by user
    name. Callers check that the reader is an administrator."""
    qs = User.objects.exclude(role=Role.CUSTOMER).select_related("team", "region")
    if filters.role in STAFF_ROLES:
        qs = qs.filter(role=filters.role)
    if filters.active in ("yes", "no"):
        qs = qs.filter(is_active=filters.active == "yes")
    text = filters.query.strip()[:SEARCH_LIMIT]
    if text:
        qs = qs.filter(
            Q(username__icontains=text)
            | Q(display_name__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(email__icontains=text)
            | Q(phone__icontains=text)
        )
    return qs.order_by("-is_active", "username", "id")


def successor_candidates(person: User) -> QuerySet[User]:
    """Who is offered to succeed ``person``: active staff of the same role, and supervisors (a
    team lead takes a leaver's work until someone is hired). The service accepts any active
    member of staff; each app moves to the successor only what their role may work on."""
    roles = {person.role, Role.SUPERVISOR}
    return (
        User.objects.filter(is_active=True, role__in=roles)
        .exclude(pk=person.pk)
        .select_related("team")
        .order_by("role", "username", "id")
    )
