"""Which ``RemedyPolicy`` applies to a product category, as the engine's ``Rules``.

A category's own policy, else its parent category's, else the default policy (no category, made
by migration 0002), else the regulation's numbers (``engine.Rules()``) should an administrator
have deleted the default. One query for the policy (all three candidates at once) and one for
its main components."""

from __future__ import annotations

from django.db.models import Q

from .engine import Rules, component_key
from .models import RemedyPolicy


def policy_for_category(category_id: int | None) -> RemedyPolicy | None:
    match = Q(category__isnull=True)
    if category_id is not None:
        # The category's own policy, or the policy of the category it is a child of.
        match |= Q(category_id=category_id) | Q(category__productcategory__id=category_id)
    candidates = list(RemedyPolicy.objects.filter(match).prefetch_related("components").order_by("pk").distinct())
    own = [p for p in candidates if category_id is not None and p.category_id == category_id]
    parent = [p for p in candidates if p.category_id is not None and p.category_id != category_id]
    default = [p for p in candidates if p.category_id is None]
    for found in (own, parent, default):
        if found:
            return found[0]
    return None


def rules_of(policy: RemedyPolicy | None) -> Rules:
    if policy is None:
        return Rules()
    return Rules(
        return_days=policy.return_days,
        exchange_days=policy.exchange_days,
        whole_unit_months=policy.whole_unit_months,
        component_months={component_key(c.component): c.months for c in policy.components.all()},
        repair_days_limit=policy.repair_days_limit,
        parts_wait_days_limit=policy.parts_wait_days_limit,
        max_repairs=policy.max_repairs,
        daily_rate=policy.daily_rate,
        online_return_days=policy.online_return_days,
        online_return_excluded=policy.online_return_excluded,
        policy_label=str(policy) if policy.category_id is None else "",
    )


def rules_for_category(category_id: int | None) -> Rules:
    return rules_of(policy_for_category(category_id))
