"""The customer's own writes in the portal, composed of the services every channel uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.customers.models import Address, Customer
from aftersales.customers.services import customer_add_address
from aftersales.tickets.services import IntakeInput, IntakeResult, ticket_add_attachment, ticket_intake
from aftersales.tickets.services.intake import IntakeFile


@transaction.atomic
def portal_submit_request(
    *,
    actor: User,
    data: IntakeInput,
    files: Sequence[IntakeFile | UploadedFile] = (),
    idempotency_key: str | None = None,
) -> IntakeResult:
    """A signed-in customer's request: the ticket through the one intake door (numbered, on the
    timeline, audited, the customer told), with the files the customer chose, all in one
    transaction — a request is stored with all its files or not at all. The same idempotency key
    (the form's hidden token) answers a double submit with the first ticket and stores nothing.

    Each file keeps its kind (``IntakeFile``: the request form's ``evidence``; a bare file: from
    its type, ``tickets.attachments.kind_for_type``) and is visible to the customer who sent it,
    whatever its kind (a receipt the customer sent is theirs to see).

    A model number the catalogue does not know is no refusal: the request keeps it as the customer
    typed it, as the last line of the description (``_model_as_reported``). The address of the
    first request becomes the customer's address (``_remember_address``)."""
    if not actor.is_customer:
        raise PermissionDenied(_("Only customers submit requests in the portal."), code="not_a_customer")
    result = ticket_intake(data=_model_as_reported(data), actor=actor, idempotency_key=idempotency_key)
    if result.created:
        _remember_address(customer=result.ticket.customer, data=data, actor=actor)
        for item in files:
            if isinstance(item, IntakeFile):
                fileobj, name, kind = item.file, item.name, item.kind or None
            else:
                fileobj, name, kind = item, item.name or "", None
            ticket_add_attachment(ticket=result.ticket, actor=actor, fileobj=fileobj, filename=name, public=True, kind=kind)
    return result


def _model_as_reported(data: IntakeInput) -> IntakeInput:
    """The request with its model number as the catalogue writes it (whatever the case typed),
    or — a number the catalogue does not know — without it, the number kept as typed in the
    description's last line, where the agent reads it (the ticket has no field for a model that
    is not in the catalogue)."""
    typed = data.product_model_code.strip()
    if not typed:
        return data
    known = (
        ProductModel.objects.filter(code=typed).values_list("code", flat=True).first()
        or ProductModel.objects.filter(code__iexact=typed).order_by("code").values_list("code", flat=True).first()
    )
    if known is not None:
        return replace(data, product_model_code=known)
    line = str(_("Model number (as typed): %(code)s") % {"code": typed})
    return replace(data, product_model_code="", description=f"{data.description.rstrip()}\n\n{line}")


def _remember_address(*, customer: Customer, data: IntakeInput, actor: User) -> None:
    """The address typed in a customer's first request becomes their (default) address, through
    the customers service (audited as ``customer.address_added``), so that the next request form
    is prefilled with it. A customer who has an address keeps it as it is (a different place is
    the request's own); an address without its province or city is not saved."""
    if not (data.province.strip() and data.city.strip() and data.address.strip()):
        return
    if Address.objects.filter(customer=customer).exists():
        return
    try:
        customer_add_address(
            customer=customer,
            province=data.province,
            city=data.city,
            district=data.district,
            detail=data.address,
            is_default=True,
            actor=actor,
        )
    except DomainError:  # too long for the address book, an erased record: the request stands
        return
