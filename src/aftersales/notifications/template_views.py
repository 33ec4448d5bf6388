"""The template pages: notification templates (administrators: edit, preview, history, test
send to oneself, back to the shipped text) and the reply library (administrators and
supervisors), plus the ticket page's reply picker (every member of staff).

Thin: parse, call a selector or a service, render. A refusal is shown on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import request_user

from . import template_selectors as selectors
from . import template_services as services
from .models import ReplyTemplate
from .template_events import REPLY_PLACEHOLDERS, channel_label, event_for, has_subject, language_label
from .template_forms import NotificationTemplateForm, ReplyTemplateForm

REPLY_TOKEN_SALT = "notifications.reply-values"  # noqa: S105 - a signing salt, not a secret
REPLY_TOKEN_MAX_AGE = 12 * 3600


def _language() -> str:
    return "zh-hans" if (get_language() or "zh-hans").startswith("zh") else "en"


@staff_required
@require_GET
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not selectors.can_edit_notification_templates(user):
        selectors.require_reply_manager(user)
        return redirect("notifications:reply_list")
    return render(request, "notifications/templates/index.html", {"rows": selectors.template_overview(user=user)})


def _edit_context(user: User, event: str, channel: str, language: str, form: NotificationTemplateForm) -> dict[str, Any]:
    state = selectors.template_state(user=user, event=event, channel=channel, language=language)
    known = event_for(event)
    shipped_subject, shipped_body = services.shipped_texts(known, language) if known else ("", "")
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    preview = services.notification_template_preview(event=event, channel=channel, language=language, subject=subject, body=body)
    return {
        "form": form,
        "state": state,
        "event": known,
        "channel": channel,
        "language": language,
        "with_subject": has_subject(channel),
        "placeholders": [(p, "{" + p.zh + "}", "{" + p.en + "}") for p in known.all_placeholders] if known else [],
        "shipped_subject": shipped_subject,
        "shipped_body": shipped_body,
        "preview": preview,
        "channel_text": channel_label(channel),
        "language_text": language_label(language),
    }


@staff_required
@domain_errors
def edit(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        form = NotificationTemplateForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        with refusals(form=form) as refused:
            if "reset" in request.POST:
                services.notification_template_reset(
                    actor=user, event=event, channel=channel, language=language, expected_state=data.get("expected_state") or None
                )
                messages.success(request, _("The shipped text is sent again."))
            else:
                saved = services.notification_template_save(
                    actor=user,
                    event=event,
                    channel=channel,
                    language=language,
                    subject=data.get("subject", ""),
                    body=data.get("body", ""),
                    expected_state=data.get("expected_state") or None,
                )
                messages.success(request, _("Version %(version)s saved; it is sent from now on.") % {"version": saved.version})
        if not refused:
            return redirect("notifications:template_edit", event, channel, language)
        return render(
            request,
            "notifications/templates/edit.html",
            _edit_context(user, event, channel, language, form),
            status=refused.status,
        )
    subject, body, _version = services.effective_texts(actor=user, event=event, channel=channel, language=language)
    state = selectors.template_state(user=user, event=event, channel=channel, language=language)
    form = NotificationTemplateForm(initial={"subject": subject, "body": body, "expected_state": state.token})
    return render(request, "notifications/templates/edit.html", _edit_context(user, event, channel, language, form))


@staff_required
@require_POST
@domain_errors
def preview(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    selectors.require_template_editor(request_user(request))
    result = services.notification_template_preview(
        event=event,
        channel=channel,
        language=language,
        subject=request.POST.get("subject", "")[:400],
        body=request.POST.get("body", "")[:8000],
    )
    return render(request, "notifications/templates/partials/preview.html", {"preview": result, "channel": channel})


@staff_required
@require_POST
@domain_errors
def restore(request: HttpRequest, event: str, channel: str, language: str, version: int) -> HttpResponse:
    user = request_user(request)
    state = selectors.template_state(user=user, event=event, channel=channel, language=language)
    old = next((row for row in state.history if row.version == version), None)
    if old is None:
        raise Http404
    with refusals(request=request) as refused:
        saved = services.notification_template_save(
            actor=user,
            event=event,
            channel=channel,
            language=language,
            subject=old.subject,
            body=old.body,
            expected_state=request.POST.get("expected_state") or None,
        )
    if not refused:
        messages.success(request, _("Version %(version)s saved; it is sent from now on.") % {"version": saved.version})
    return redirect("notifications:template_edit", event, channel, language)


@staff_required
@require_POST
@domain_errors
def test_send(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    with refusals(request=request) as refused:
        services.notification_template_test_send(actor=request_user(request), event=event, channel=channel, language=language)
    if not refused:
        messages.success(request, _("A test message was queued to you; it is delivered like any other message."))
    return redirect("notifications:template_edit", event, channel, language)


# --- Reply library ------------------------------------------------------------------------------


@staff_required
@require_GET
@domain_errors
def reply_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    selectors.require_reply_manager(user)
    language = request.GET.get("language", "")
    templates = selectors.reply_templates_for_user(
        user=user, language=language if language in ("zh-hans", "en") else "", include_archived=True
    )
    return render(request, "notifications/templates/replies.html", {"templates": templates, "language": language})


def _reply_input(form: ReplyTemplateForm) -> services.ReplyTemplateInput:
    data = form.cleaned_data
    return services.ReplyTemplateInput(
        title=data.get("title") or "",
        language=data.get("language") or "",
        body=data.get("body") or "",
        category=data.get("category") or "",
    )


def _reply_form_page(
    request: HttpRequest, form: ReplyTemplateForm, template: ReplyTemplate | None, status: int = 200
) -> HttpResponse:
    placeholders = [(p, "{" + p.zh + "}", "{" + p.en + "}") for p in REPLY_PLACEHOLDERS]
    context = {"form": form, "template": template, "placeholders": placeholders}
    return render(request, "notifications/templates/reply_edit.html", context, status=status)


@staff_required
@domain_errors
def reply_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    selectors.require_reply_manager(user)
    if request.method != "POST":
        return _reply_form_page(request, ReplyTemplateForm(initial={"language": _language(), "active": True}), None)
    form = ReplyTemplateForm(request.POST)
    form.is_valid()
    with refusals(form=form) as refused:
        services.reply_template_create(actor=user, data=_reply_input(form))
    if refused:
        return _reply_form_page(request, form, None, refused.status)
    messages.success(request, _("Reply template saved."))
    return redirect("notifications:reply_list")


@staff_required
@domain_errors
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    selectors.require_reply_manager(user)
    template = selectors.reply_template_get(user=user, template_id=pk)
    if request.method != "POST":
        initial = {
            "title": template.title,
            "language": template.language,
            "category": template.category,
            "body": template.body,
            "active": template.active,
            "expected_version": template.version,
        }
        return _reply_form_page(request, ReplyTemplateForm(initial=initial), template)
    form = ReplyTemplateForm(request.POST)
    form.is_valid()
    with refusals(form=form) as refused:
        services.reply_template_update(
            actor=user,
            template=template,
            data=_reply_input(form),
            expected_version=form.cleaned_data.get("expected_version"),
            active=bool(form.cleaned_data.get("active")),
        )
    if refused:
        return _reply_form_page(request, form, template, refused.status)
    messages.success(request, _("Reply template saved."))
    return redirect("notifications:reply_list")


# --- The ticket page's reply picker -------------------------------------------------------------


def reply_token(*, values: dict[str, str], user: User) -> str:
    """The ticket's values, signed for this user, carried by the ticket page to the picker."""
    return signing.dumps({"u": user.pk, "v": values}, salt=REPLY_TOKEN_SALT, compress=True)


def _token_values(request: HttpRequest) -> dict[str, str]:
    try:
        data = signing.loads(request.GET.get("t", ""), salt=REPLY_TOKEN_SALT, max_age=REPLY_TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if not isinstance(data, dict) or data.get("u") != request.user.pk or not isinstance(data.get("v"), dict):
        raise Http404
    return {str(k): str(v) for k, v in data["v"].items()}


@staff_required
@require_GET
def reply_picker(request: HttpRequest) -> HttpResponse:
    _token_values(request)
    templates = selectors.reply_templates_for_user(user=request_user(request), language=_language())
    return render(
        request, "notifications/templates/partials/reply_picker.html", {"templates": templates, "token": request.GET.get("t", "")}
    )


@staff_required
@require_GET
@domain_errors
def reply_render(request: HttpRequest) -> HttpResponse:
    values = _token_values(request)
    raw = request.GET.get("template", "")
    if not raw.isdigit():
        return HttpResponse("")
    template = selectors.reply_template_get(user=request_user(request), template_id=int(raw))
    text = services.reply_render(template=template, values=values)
    return render(request, "notifications/templates/partials/reply_preview.html", {"text": text, "template": template})
