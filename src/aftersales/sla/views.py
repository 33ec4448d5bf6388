"""The business calendars' pages: the calendars with the state of this year and the next, a
year's days off and make-up workdays with where each comes from, the State Council's notice
pasted, previewed and entered, one day entered or removed by hand.

Administrators change calendars, supervisors read them. Thin: parse, call a selector or a
service, render; a refusal is shown on the form or as a message.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from aftersales.accounts.decorators import staff_required
from aftersales.core import clock as system_clock
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import request_user

from .calendar import statutory_holidays
from .calendar_selectors import calendar_get, calendar_year_view, calendars_overview, holiday_language
from .forms import DayForm, NoticeForm
from .models import ScheduleSource
from .notice import missing_statutory, parse_notice
from .services.calendars import (
    FIRST_YEAR,
    LAST_YEAR,
    calendar_enter_year,
    calendar_remove_day,
    calendar_set_day,
    can_edit_calendars,
    require_calendar_editor,
)


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return year


def _shown_year(year: int) -> int:
    """The year page to go back to after a day was entered or refused: the day's year, or this
    year for a date outside the years a calendar holds (the refusal is shown there)."""
    return year if FIRST_YEAR <= year <= LAST_YEAR else system_clock.local_today().year


@staff_required
@require_safe
@domain_errors
def calendars(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = system_clock.local_today()
    rows = calendars_overview(user=user, today=today)
    return render(request, "sla/calendars.html", {"rows": rows, "today": today, "may_edit": can_edit_calendars(user)})


@staff_required
@require_safe
@domain_errors
def calendar_year(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = request_user(request)
    view = calendar_year_view(user=user, calendar_id=pk, year=_year(year), language=holiday_language())
    context = {
        "view": view,
        "may_edit": can_edit_calendars(user),
        "day_form": DayForm(),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
    }
    return render(request, "sla/calendar_year.html", context)


@staff_required
@domain_errors
def calendar_notice(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """GET: the form. POST: a preview (htmx: the preview alone) or, with ``save``, the year entered."""
    user = request_user(request)
    require_calendar_editor(user)
    calendar = calendar_get(user=user, calendar_id=pk)
    year = _year(year)
    form = NoticeForm(request.POST or None)
    notice = None
    missing: list[tuple[dt.date, str]] = []
    if request.method == "POST" and form.is_valid():
        notice = parse_notice(form.cleaned_data["notice"], year=year)
        missing = missing_statutory(notice, statutory_holidays(year, holiday_language()))
        if "save" in request.POST and notice.ok:
            with refusals(form=form) as refused:
                record, change = calendar_enter_year(
                    actor=user,
                    calendar_id=calendar.pk,
                    year=year,
                    days=notice.days,
                    source=ScheduleSource.NOTICE,
                    notice=form.cleaned_data["notice"],
                )
            if not refused:
                messages.success(
                    request,
                    _(
                        "%(year)s entered: %(off)s days off, %(work)s make-up workdays (%(changed)s dates changed). "
                        "Open tickets' deadlines are recomputed in the background."
                    )
                    % {"year": year, "off": record.days_off, "work": record.workdays, "changed": len(change.dates)},
                )
                return redirect("sla:calendar_year", calendar.pk, year)
        elif "save" in request.POST:
            form.add_error(
                "notice",
                ngettext(
                    "The notice has %(n)s problem: mend it and preview again.",
                    "The notice has %(n)s problems: mend them and preview again.",
                    len(notice.problems),
                )
                % {"n": len(notice.problems)},
            )
    context = {"calendar": calendar, "year": year, "form": form, "notice": notice, "missing": missing}
    if request.htmx and "save" not in request.POST:  # type: ignore[attr-defined]
        return render(request, "sla/_notice_preview.html", context)
    return render(request, "sla/calendar_notice.html", context)


@staff_required
@require_POST
@domain_errors
def calendar_day(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    calendar = calendar_get(user=user, calendar_id=pk)
    form = DayForm(request.POST)
    year = system_clock.local_today().year
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("sla:calendar_year", calendar.pk, year)
    data = form.cleaned_data
    year = data["date"].year
    with refusals(request=request) as refused:
        calendar_set_day(actor=user, calendar_id=calendar.pk, date=data["date"], is_workday=data["is_workday"], name=data["name"])
    if not refused:
        messages.success(request, _("%(date)s entered.") % {"date": data["date"].isoformat()})
    return redirect("sla:calendar_year", calendar.pk, _shown_year(year))


@staff_required
@require_POST
@domain_errors
def calendar_day_remove(request: HttpRequest, pk: int, date: str) -> HttpResponse:
    user = request_user(request)
    calendar = calendar_get(user=user, calendar_id=pk)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise Http404 from None
    with refusals(request=request) as refused:
        calendar_remove_day(actor=user, calendar_id=calendar.pk, date=day)
    if not refused:
        messages.success(
            request, _("%(date)s removed: the holiday package and the weekday decide again.") % {"date": day.isoformat()}
        )
    return redirect("sla:calendar_year", calendar.pk, _shown_year(day.year))
