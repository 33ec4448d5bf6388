"""The Net Promoter Score: only from the 0–10 question "how likely are you to recommend us", as
the revisit calls ask it (``revisits.RevisitCall.nps``) and the satisfaction survey asks it when
its settings include it (``feedback.Survey.nps``, docs/surveys.md); the 1–5 survey ratings are
CSAT and give no NPS (docs/kpis.md).

NPS = share of promoters (9–10) − share of detractors (0–6), in points (−100 to 100), of all
the answers recorded, by the month of the call or of the survey's answer (Asia/Shanghai). Read
from the calls and the answered surveys themselves (grouped by the database), scoped by the
region of the revisit (its customer's region at the time) or of the survey's ticket.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.revisits.models import RevisitCall

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def nps_score(*, promoters: int, detractors: int, answers: int) -> float | None:
    return round(100 * (promoters - detractors) / answers, 1) if answers else None


def _after(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def monthly_nps(
    months: list[dt.date], *, region: int | None = None, category: int | None = None
) -> tuple[list[float | None], list[int]]:
    """(NPS per month, answers per month) for ``months`` (first days, consecutive), from the
    revisit calls' and the answered surveys' 0–10 answers. ``region``: the revisits and the
    surveyed tickets of that region (0 = without one); ``category``: the revisits after a ticket,
    and the surveyed tickets, of that category (0 = without one; periodic revisits have no ticket
    and are then left out)."""
    n = len(months)
    if not n:
        return [], []
    start = timezone.make_aware(dt.datetime.combine(months[0], dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(_after(months[-1]), dt.time.min))
    calls = RevisitCall.objects.filter(nps__isnull=False, called_at__gte=start, called_at__lt=end)
    if region is not None:
        calls = calls.filter(revisit__region_id=region) if region else calls.filter(revisit__region__isnull=True)
    if category is not None:
        calls = calls.filter(revisit__ticket__isnull=False)
        calls = (
            calls.filter(revisit__ticket__category_id=category)
            if category
            else calls.filter(revisit__ticket__category__isnull=True)
        )
    surveys = Survey.objects.filter(
        status=SurveyStatus.SUBMITTED, nps__isnull=False, submitted_at__gte=start, submitted_at__lt=end
    )
    if region is not None:
        surveys = surveys.filter(ticket__region_id=region) if region else surveys.filter(ticket__region__isnull=True)
    if category is not None:
        surveys = surveys.filter(ticket__category_id=category) if category else surveys.filter(ticket__category__isnull=True)
    index = {m: i for i, m in enumerate(months)}
    answers, promoters, detractors = [0] * n, [0] * n, [0] * n
    counts = {
        "n": Count("pk"),
        "promoters": Count("pk", filter=Q(nps__gte=PROMOTER_MIN)),
        "detractors": Count("pk", filter=Q(nps__lte=DETRACTOR_MAX)),
    }
    zone = timezone.get_current_timezone()
    from_calls = calls.order_by().annotate(month=TruncMonth("called_at", tzinfo=zone)).values("month").annotate(**counts)
    from_surveys = surveys.order_by().annotate(month=TruncMonth("submitted_at", tzinfo=zone)).values("month").annotate(**counts)
    for row in [*from_calls, *from_surveys]:
        month = row["month"]
        i = index.get(timezone.localtime(month).date() if isinstance(month, dt.datetime) else month)
        if i is None:
            continue
        answers[i] += row["n"]
        promoters[i] += row["promoters"]
        detractors[i] += row["detractors"]
    scores = [nps_score(promoters=promoters[i], detractors=detractors[i], answers=answers[i]) for i in range(n)]
    return scores, answers
