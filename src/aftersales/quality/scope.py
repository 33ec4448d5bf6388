"""An improvement action's scope: its product model, and/or a factory, and/or a component supplier
(with the component), chosen from the production register's values (``catalog.ProductionBatch``
and its ``BatchComponent`` rows).

``scope_batches`` is the set of batches the action is about — what its measured effect compares
(``effect.py``) — and ``scope_errors`` refuses a factory, supplier or component the register does
not hold, naming the field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.catalog.models import BatchComponent, ProductionBatch, component_matches
from aftersales.catalog.selectors import BatchFacts, BatchKey, registered_batches


def same_component(a: str, b: str) -> bool:
    """Whether two component labels name the same component ("number name", its number or its name)."""
    return component_matches(a, b) or component_matches(b, a)


def register_factories() -> list[str]:
    return list(ProductionBatch.objects.exclude(factory="").order_by("factory").values_list("factory", flat=True).distinct())


def register_suppliers() -> list[str]:
    return list(BatchComponent.objects.order_by("supplier").values_list("supplier", flat=True).distinct())


def _components_of(supplier: str, model_id: int | None) -> QuerySet[BatchComponent]:
    qs = BatchComponent.objects.filter(supplier=supplier)
    if model_id is not None:
        qs = qs.filter(production_batch__model_id=model_id)
    return qs


def scope_errors(*, model_id: int | None, factory: str, supplier: str, component: str) -> dict[str, list[Any]]:
    """The fields of a scope the production register does not support (empty: the scope is fine)."""
    errors: dict[str, list[Any]] = {}
    if factory:
        made = ProductionBatch.objects.filter(factory=factory)
        if not made.exists():
            errors["factory"] = [_("The production register names no factory %(factory)s.") % {"factory": factory}]
        elif model_id is not None and not made.filter(model_id=model_id).exists():
            errors["factory"] = [_("The production register has no batch of this model from this factory.")]
    if supplier:
        components = _components_of(supplier, model_id)
        if not BatchComponent.objects.filter(supplier=supplier).exists():
            errors["supplier"] = [_("The production register names no supplier %(supplier)s.") % {"supplier": supplier}]
        elif not components.exists():
            errors["supplier"] = [_("The production register has no batch of this model with a component of this supplier.")]
        elif component:
            names = sorted(set(components.values_list("component", flat=True)))
            if not any(same_component(component, name) for name in names):
                errors["component"] = [
                    _("The production register names no such component of this supplier (its components: %(names)s).")
                    % {"names": "、".join(names[:10])}
                ]
        checked = "factory" not in errors and "supplier" not in errors
        if factory and checked and not components.filter(production_batch__factory=factory).exists():
            errors["supplier"] = [_("No batch of this factory has a component of this supplier in the production register.")]
    return errors


def supplier_components(fact: BatchFacts, supplier: str, component: str) -> list[str]:
    """The components of a batch the action's supplier made (only the named one, when named)."""
    return [c for c, s in fact.components if s == supplier and (not component or same_component(component, c))]


def scope_batches(*, model_id: int | None, factory: str, supplier: str, component: str) -> dict[BatchKey, BatchFacts]:
    """The register's batches of a factory / supplier scope (narrowed to the model when named)."""
    facts = registered_batches(
        model_ids=[model_id] if model_id is not None else None,
        factory=factory or None,
        supplier=supplier or None,
    )
    if supplier:
        facts = {key: fact for key, fact in facts.items() if supplier_components(fact, supplier, component)}
    return facts
