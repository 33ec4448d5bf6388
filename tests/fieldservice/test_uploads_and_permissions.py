"""Photos, permits and the signature are checked from their bytes; who may see and do what."""

from __future__ import annotations

import base64
import io

import pytest

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.fieldservice import services
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.permissions import site_details, work_orders_visible_to
from aftersales.fieldservice.uploads import check_photo, decode_signature
from tests.factories import UserFactory

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    png_bytes,
    signature_data,
    technician,
    unit_in_warranty,
    walk_to,
)

pytestmark = pytest.mark.django_db


def named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def test_a_photo_is_checked_from_its_bytes_not_its_name(settings):
    assert check_photo(named(png_bytes(), "x.jpg")).content_type == "image/png"
    with pytest.raises(ValidationFailed) as exc:
        check_photo(named(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "photo.png"))
    assert exc.value.code == "file_type"
    with pytest.raises(ValidationFailed) as exc:
        check_photo(named(b"MZ\x90\x00 not an image at all", "photo.png"))
    assert exc.value.code in {"attachment_type", "file_type"}
    with pytest.raises(ValidationFailed):
        check_photo(named(b"", "empty.png"))
    settings.FIELDSERVICE_PHOTO_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as exc:
        check_photo(named(png_bytes(), "big.png"))
    assert exc.value.code == "file_too_large"


def test_the_signature_must_be_a_real_non_blank_png_of_sensible_size(settings):
    assert decode_signature(signature_data()).startswith(b"\x89PNG")
    blank = "data:image/png;base64," + base64.b64encode(png_bytes(200, 80, value=255)).decode()
    with pytest.raises(ValidationFailed) as exc:
        decode_signature(blank)
    assert exc.value.code == "signature_blank"
    tiny = "data:image/png;base64," + base64.b64encode(png_bytes(4, 4, varied=True)).decode()
    with pytest.raises(ValidationFailed) as exc:
        decode_signature(tiny)
    assert exc.value.code == "signature_size"
    for bad in [
        "",
        "data:image/jpeg;base64,AAAA",
        "data:image/png;base64,@@@",
        "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode(),
    ]:
        with pytest.raises(ValidationFailed):
            decode_signature(bad)
    settings.FIELDSERVICE_SIGNATURE_MAX_BYTES = 50
    with pytest.raises(ValidationFailed) as exc:
        decode_signature(signature_data())
    assert exc.value.code == "signature_too_large"


def test_a_wrong_photo_is_refused_by_the_service_and_nothing_is_stored():
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=boss, tech=tech)
    with pytest.raises(ValidationFailed):
        services.work_order_add_photo(work_order=job, actor=tech, kind="before", file=named(b"<html>hi</html>", "a.png"))
    with pytest.raises(ValidationFailed):
        services.work_order_add_photo(work_order=job, actor=tech, kind="sideways", file=photo())
    assert fresh(job).files.count() == 0
    with pytest.raises(ValidationFailed):
        services.work_order_customer_accept(
            work_order=job, actor=tech, method="signature", signer_name="张", signature="data:image/png;base64,xx"
        )


def test_a_technician_sees_and_works_only_their_own_jobs():
    handler, boss, tech, other = agent(), dispatcher(), technician(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "dispatched", boss=boss, tech=tech)
    assert list(work_orders_visible_to(tech)) == [job]
    assert list(work_orders_visible_to(other)) == []
    with pytest.raises(PermissionDenied):
        services.work_order_accept(work_order=job, actor=other)
    with pytest.raises(PermissionDenied):  # a technician does not dispatch
        services.work_order_dispatch(work_order=job, actor=tech, technician=other)


def test_address_and_phone_masked_for_anyone_not_dispatched():
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = new_job(handler=handler, measure=measure)
    assert site_details(tech, job)["masked"]  # not dispatched yet
    job = walk_to(job, "dispatched", boss=boss, tech=tech)
    assert site_details(tech, job)["address"] == "漕溪北路88号3栋502室"
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    masked = site_details(finance, job)
    assert masked["masked"] and "88号" not in str(masked["address"]) and "****" in str(masked["contact_phone"])
    assert not site_details(handler, job)["masked"]  # agents handle customers' data anyway


def test_dispatch_rights_and_region_scope():
    from django.contrib.auth.models import Permission

    east, west = Region.objects.create(code="e", name="华东"), Region.objects.create(code="w", name="华西")
    handler, tech = agent(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=east)
    job = new_job(handler=handler, measure=measure)
    east_boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east)
    west_boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=west)
    assert job in work_orders_visible_to(east_boss) and job not in work_orders_visible_to(west_boss)
    with pytest.raises(PermissionDenied) as exc:
        walk_to(job, "dispatched", boss=west_boss, tech=tech)
    assert exc.value.code == "out_of_scope"
    plain_agent = agent()
    with pytest.raises(PermissionDenied) as exc:
        walk_to(job, "dispatched", boss=plain_agent, tech=tech)
    assert exc.value.code == "not_dispatcher"
    desk = agent()
    desk.user_permissions.add(Permission.objects.get(codename="dispatch_workorder"))
    desk = type(desk).objects.get(pk=desk.pk)
    assert walk_to(job, "dispatched", boss=desk, tech=tech).status == "dispatched"
    assert WorkOrder.objects.get(pk=job.pk).dispatched_by == desk
