"""The customer's copy as a file: the one answer of the portal's download and the API's."""

from __future__ import annotations

from django.http import FileResponse

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.web import private_no_store

from .models import PrivacyRequest
from .services import privacy_export_downloaded


def export_available(item: PrivacyRequest) -> bool:
    """Whether the request's copy may be downloaded now (prepared, not past its date)."""
    return bool(item.export_file) and not (item.export_expires_at and item.export_expires_at <= clock.now())


def export_response(*, item: PrivacyRequest, user: User) -> FileResponse | None:
    """The zip (``personal-data-<id>.zip``), its download audited; None when there is no copy to
    give: never prepared, past its date, or gone from the storage (then nothing was handed out)."""
    if not export_available(item):
        return None
    try:
        handle = item.export_file.open("rb")
    except FileNotFoundError:
        return None
    privacy_export_downloaded(request=item, actor=user)
    response = FileResponse(handle, as_attachment=True, filename=f"personal-data-{item.pk}.zip")
    response["Content-Type"] = "application/zip"
    return private_no_store(response)
