"""Every file path on a real S3 protocol server: moto's server, started in this process on a free
port, which boto3 (through django-storages) talks to over HTTP as it would to Aliyun OSS or MinIO.
The storage is configured exactly as settings.py does it (``default_storage_from_env``), with a
prefix, so each test also proves that nothing lands on the local disk.

What a file does on S3 does not depend on the database: the SQLite pass of `make test` runs these
(``sqlite_pass``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from openpyxl import load_workbook
from storages.backends.s3 import S3Storage

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.core.backup import MEDIA, archive_stored_files, restore_stored_files
from aftersales.core.storage import default_storage_from_env
from aftersales.customers.models import Customer
from aftersales.exports import running
from aftersales.exports import services as exports
from aftersales.exports.models import Export
from aftersales.imports import services as imports
from aftersales.imports.models import ImportJob, ImportStatus
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_apply_retention, privacy_request_create
from aftersales.privacy.tasks import prepare_privacy_export
from aftersales.tickets.models import Attachment
from aftersales.tickets.services import ticket_add_attachment
from tests.api.conftest import api_client, png_bytes
from tests.casefile.world import lived_ticket
from tests.factories import UserFactory, make_ticket
from tests.imports.helpers import admin, csv_bytes, xlsx_bytes
from tests.returns.helpers import walk_to, world

pytestmark = [pytest.mark.sqlite_pass, pytest.mark.django_db]

KEYS = {"S3_ACCESS_KEY_ID": "aftersales-test", "S3_SECRET_ACCESS_KEY": "aftersales-test-secret"}
REGION = "us-west-2"
PREFIX = "site"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    name: str
    client: Any
    endpoint: str

    def env(self, prefix: str = PREFIX) -> dict[str, str]:
        """The variables an operator sets (docs/operations.md), path addressing as for MinIO."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": self.name,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_PREFIX": prefix,
            "S3_ADDRESSING_STYLE": "path",
            **KEYS,
        }

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, name: str, prefix: str = PREFIX) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{prefix}/{name}")["Body"].read()

    def holds(self, name: str, prefix: str = PREFIX) -> bool:
        return f"{prefix}/{name}" in self.keys()

    def remove(self, name: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=f"{PREFIX}/{name}")


@pytest.fixture
def bucket(settings, s3_endpoint, tmp_path) -> Iterator[Bucket]:  # type: ignore[no-untyped-def]
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
    )
    name = f"aftersales-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    made = Bucket(name=name, client=client, endpoint=s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env(made.env())}
    assert isinstance(storages["default"], S3Storage) and isinstance(Attachment._meta.get_field("file").storage, S3Storage)
    yield made
    # Nothing of the test's files on the machine's disk: MEDIA_ROOT (conftest) stays empty.
    media = tmp_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_attachments_from_the_page_and_the_api_are_stored_in_the_bucket_and_downloaded(bucket):
    ticket = make_ticket()
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    page = staff_client(agent)
    added = page.post(
        reverse("tickets:add_attachment", args=[ticket.number]),
        {"attachment": SimpleUploadedFile("漏水.png", png_bytes(), "image/png"), "public": "on"},
    )
    assert added.status_code == 302, added.content.decode()[:500]
    on_page = Attachment.objects.get(ticket=ticket)
    assert bucket.keys() == [f"{PREFIX}/{on_page.file.name}"] and on_page.file.name.startswith(f"attachments/{ticket.pk}/")
    stored = bucket.read(on_page.file.name)
    assert hashlib.sha256(stored).hexdigest() == on_page.sha256
    download = page.get(reverse("tickets:attachment", args=[on_page.pk]))
    assert download.status_code == 200 and body(download) == stored
    assert download["Content-Type"] == "image/png" and "no-store" in download["Cache-Control"]

    api = api_client(agent)
    uploaded = api.upload(
        f"/api/v1/tickets/{ticket.number}/attachments", {"file": SimpleUploadedFile("铭牌.png", png_bytes(3, 3))}
    )
    assert uploaded.status_code == 201, uploaded.content
    through_api = Attachment.objects.get(pk=uploaded.json()["id"])
    assert bucket.holds(through_api.file.name)
    fetched = api.get(uploaded.json()["download_url"])
    assert fetched.status_code == 200 and body(fetched) == bucket.read(through_api.file.name)

    # An object lost from the bucket (a restore without the files) is a 404, never a 500.
    bucket.remove(on_page.file.name)
    assert page.get(reverse("tickets:attachment", args=[on_page.pk])).status_code == 404
    assert api.get(f"/api/v1/attachments/{on_page.pk}").status_code == 404


def test_a_name_already_taken_gets_a_new_one_objects_are_private_and_no_link_opens_them(bucket):
    first = default_storage.save("returns/2026/12/inspection.png", ContentFile(b"first photo"))
    second = default_storage.save("returns/2026/12/inspection.png", ContentFile(b"second photo"))
    assert first == "returns/2026/12/inspection.png" and second != first
    assert (bucket.read(first), bucket.read(second)) == (b"first photo", b"second photo")
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=f"{PREFIX}/{first}")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner alone: private
    assert "Signature" not in default_storage.url(first)  # never a signed link that would open it
    default_storage.delete(first)
    assert not default_storage.exists(first) and default_storage.exists(second)


def test_an_export_is_written_to_the_bucket_downloaded_and_purged(bucket):
    make_ticket()
    owner = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    export = exports.export_request(user=owner, kind="tickets", filters={"status": "all"})
    assert running.run_export(export.pk) == running.Outcome.DONE
    export.refresh_from_db()
    assert bucket.holds(export.file.name) and export.file.name.startswith("exports/")
    download = staff_client(owner).get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(body(download))).worksheets[0].max_row == 2

    Export.objects.filter(pk=export.pk).update(finished_at=clock.now() - dt.timedelta(days=8))
    assert running.purge_old_exports() == 1
    assert not bucket.holds(export.file.name) and not Export.objects.filter(pk=export.pk).exists()


def test_an_import_is_read_from_the_bucket_and_its_file_purged(bucket, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    actor = admin()
    rows = [["姓名", "手机号", "邮箱"], ["李雷", "13900000001", "li.lei@example.com"], ["韩梅", "13900000002", ""]]
    job = imports.import_upload(
        actor=actor, kind="customers", fileobj=io.BytesIO(xlsx_bytes(rows)), name="客户.xlsx", run_inline=True
    )
    assert (job.status, job.file_format, job.new_rows) == (ImportStatus.PREVIEWED, "xlsx", 2)
    assert bucket.holds(job.file.name)
    done = imports.import_commit(job=job, actor=actor, run_inline=True)  # read from the bucket again
    assert done.status == ImportStatus.DONE
    assert Customer.objects.filter(phone__in=["+8613900000001", "+8613900000002"]).count() == 2
    again = imports.import_upload(
        actor=actor, kind="customers", fileobj=io.BytesIO(csv_bytes(rows)), name="客户.csv", run_inline=True
    )
    assert (again.status, again.file_format, again.unchanged_rows) == (ImportStatus.PREVIEWED, "csv", 2)  # read as text

    name = done.file.name
    ImportJob.objects.filter(pk=job.pk).update(created_at=clock.now() - dt.timedelta(days=settings.IMPORT_KEEP_DAYS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.import_purge_old_files() == 1
    assert not bucket.holds(name)


def test_the_case_file_acceptance_form_signature_and_personal_data_copy_read_the_bucket(bucket):
    lived = lived_ticket()
    acceptance = lived.work_order.acceptance  # type: ignore[attr-defined]
    assert bucket.holds(acceptance.signature.name)
    client = staff_client(lived.handler)
    case_file = client.get(reverse("casefile:ticket_pdf", args=[lived.ticket.number]))
    assert case_file.status_code == 200 and case_file.content.startswith(b"%PDF")
    form = client.get(reverse("fieldservice:acceptance_pdf", args=[lived.work_order.number]))
    assert form.status_code == 200 and form.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in form.content  # the signature, read from the bucket, is on the form
    signature = client.get(reverse("fieldservice:signature", args=[lived.work_order.number]))
    assert signature.status_code == 200 and body(signature) == bucket.read(acceptance.signature.name)

    copy = privacy_request_create(
        customer=lived.ticket.customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=None
    )
    assert prepare_privacy_export.call(copy.pk) == "built"  # the copy's background job
    copy.refresh_from_db()
    assert bucket.holds(copy.export_file.name)
    with zipfile.ZipFile(io.BytesIO(bucket.read(copy.export_file.name))) as archive:
        photos = [n for n in archive.namelist() if n.endswith(".png")]
    assert photos  # the customer's public photo, read from the bucket into the zip
    assert copy.export_expires_at is not None
    assert privacy_apply_retention(now=copy.export_expires_at + dt.timedelta(minutes=1))["copies_deleted"] == 1
    assert not bucket.holds(copy.export_file.name)


def test_an_inspection_photo_is_shown_through_the_access_checked_view(bucket):
    w = world()
    rma = walk_to(w.authorise(), "inspected", w)
    photo = rma.photos.get()
    assert bucket.holds(photo.file.name)
    keeper = staff_client(w.keeper)
    page = keeper.get(reverse("returns:detail", args=[rma.number])).content.decode()
    link = reverse("returns:photo", args=[rma.number, photo.pk])
    assert f'href="{link}"' in page and bucket.endpoint not in page
    shown = keeper.get(link)
    assert shown.status_code == 200 and body(shown) == bucket.read(photo.file.name)
    assert staff_client(world(code="south").keeper).get(link).status_code == 404  # another region's warehouse


def test_backup_copies_the_bucket_and_restore_puts_it_back(bucket, tmp_path):
    # ``manage.py backup`` archives ``default_storage`` so (its database part and the command are
    # tests/infra/test_backup_restore.py, in a transactional test: SQLite's online backup waits
    # for the test's open transaction).
    ticket = make_ticket()
    attachment = ticket_add_attachment(ticket=ticket, actor=None, fileobj=io.BytesIO(png_bytes()), filename="噪音.png")
    default_storage.save("imports/2026/12/客户.csv", ContentFile("姓名,手机号\n".encode()))
    media = tmp_path / MEDIA
    with tarfile.open(media, "w:gz") as archive:
        assert archive_stored_files(archive, default_storage) == 2
    with tarfile.open(media, "r:gz") as archive:
        assert sorted(archive.getnames()) == sorted([attachment.file.name, "imports/2026/12/客户.csv"])
        assert archive.extractfile(attachment.file.name).read() == bucket.read(attachment.file.name)  # type: ignore[union-attr]

    # Into another prefix of the bucket (a restore drill beside the live site): every object, once.
    other = S3Storage(**default_storage_from_env(bucket.env("restored"))["OPTIONS"])
    with tarfile.open(media, "r:gz") as archive:
        assert restore_stored_files(archive, other) == 2
    assert bucket.read(attachment.file.name, "restored") == bucket.read(attachment.file.name)
    assert bucket.read("imports/2026/12/客户.csv", "restored") == "姓名,手机号\n".encode()
    with tarfile.open(media, "r:gz") as archive:
        assert restore_stored_files(archive, other) == 0  # already there: kept, not copied twice
