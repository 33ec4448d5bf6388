"""HTTP responses for a ticket's stored files, shared by the staff pages and the portal."""

from __future__ import annotations

from django.http import FileResponse, Http404

from aftersales.core.web import private_no_store

from .selectors.agreements import AgreementDocument


def agreement_document_response(document: AgreementDocument, *, inline: bool) -> FileResponse:
    """The signed agreement with its real type: shown in the page (``inline``, for an image) or
    saved as ``<number>-plan-<n>-agreement.<ext>``; never cached, never sniffed, never run."""
    try:
        fileobj = document.agreement.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        fileobj,
        as_attachment=not (inline and document.inline),
        filename=document.filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return private_no_store(response)
