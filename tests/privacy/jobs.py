"""Running the copy's background job in a test, as the worker would (the tests' task backend
records jobs without running them)."""

from __future__ import annotations

from aftersales.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from aftersales.privacy.tasks import prepare_privacy_export


def run_export_jobs() -> list[str]:
    """Run the job of every copy waiting for it; what each run did."""
    queued = PrivacyRequest.objects.filter(kind=RequestKind.EXPORT, status=RequestStatus.RECEIVED, export_queued_at__isnull=False)
    return [prepare_privacy_export.call(pk) for pk in queued.order_by("pk").values_list("pk", flat=True)]


def ready(request: PrivacyRequest) -> PrivacyRequest:
    """The request once its copy's job has run."""
    prepare_privacy_export.call(request.pk)
    return PrivacyRequest.objects.get(pk=request.pk)
