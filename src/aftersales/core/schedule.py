"""The periodic jobs: what runs how often. One scheduler process enqueues them; any number of
workers (database or RQ backend) run them. Every job is idempotent, so an extra run (two
schedulers by mistake, a restart) does no harm."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicJob:
    task_path: str
    every: dt.timedelta

    def enqueue(self) -> None:
        import_string(self.task_path).enqueue()


PERIODIC_JOBS = (
    # Safety net behind the deferred SLA jobs: warnings and breaches whose job was lost.
    PeriodicJob("aftersales.sla.tasks.sweep_sla_clocks", dt.timedelta(minutes=1)),
    # Promised solution dates passed unresolved: the assignee warned once (docs/sla.md).
    PeriodicJob("aftersales.sla.tasks.warn_overdue_promises", dt.timedelta(minutes=5)),
    # Notifications still pending five minutes after they were queued.
    PeriodicJob("aftersales.notifications.tasks.retry_pending_notifications", dt.timedelta(minutes=5)),
    # Resolved tickets the customer never answered, after TICKET_AUTO_CLOSE_DAYS.
    PeriodicJob("aftersales.tickets.tasks.auto_close_resolved_tickets", dt.timedelta(hours=1)),
    # New tickets the assignment rules have not placed yet (a lost job, nobody available then).
    PeriodicJob("aftersales.tickets.tasks.sweep_auto_assignment", dt.timedelta(minutes=5)),
    # Webhook deliveries whose deferred retry was lost.
    PeriodicJob("aftersales.webhooks.tasks.retry_due_webhooks", dt.timedelta(minutes=5)),
    # The intake mailbox (no-op unless MAILIN_IMAP_HOST is set), and stored mail left unprocessed.
    PeriodicJob("aftersales.mailin.tasks.fetch_mailbox", dt.timedelta(minutes=1)),
    PeriodicJob("aftersales.mailin.tasks.retry_new_messages", dt.timedelta(minutes=5)),
    # Inbound mail older than MAILIN_KEEP_DAYS emptied (the tickets keep their copies).
    PeriodicJob("aftersales.mailin.tasks.purge_old_messages", dt.timedelta(hours=24)),
    # Idempotency-Key responses older than API_IDEMPOTENCY_KEEP_DAYS (default 7).
    PeriodicJob("aftersales.api.tasks.purge_idempotency_records", dt.timedelta(hours=1)),
    # The app's sign-in tokens expired or revoked more than API_SIGNIN_TOKEN_KEEP_DAYS (default 30) days ago.
    PeriodicJob("aftersales.api.tasks.purge_sign_in_tokens", dt.timedelta(hours=24)),
    # Crisis detection: spikes of tickets per model, batch, region, category (docs/crisis.md).
    PeriodicJob("aftersales.crisis.tasks.detect_spikes", dt.timedelta(minutes=10)),
    # Personal data past its retention period (PRIVACY_RETENTION_DAYS) and expired copies (privacy app).
    PeriodicJob("aftersales.privacy.tasks.apply_retention_periods", dt.timedelta(hours=24)),
    # Copies of personal data still not built ten minutes after they were asked for (privacy app).
    PeriodicJob("aftersales.privacy.tasks.resume_privacy_exports", dt.timedelta(minutes=10)),
    # Revisits (回访) that fall due: periodic per customer tier and after closed tickets, created exactly once.
    PeriodicJob("aftersales.revisits.tasks.schedule_revisits", dt.timedelta(hours=1)),
    # Satisfaction surveys: delayed invitations, reminders and expiries whose deferred job was lost (docs/surveys.md).
    PeriodicJob("aftersales.feedback.tasks.sweep_surveys", dt.timedelta(minutes=5)),
    # Quality: the fault rollups (fault rate per batch, Pareto, control charts) from changed tickets.
    PeriodicJob("aftersales.quality.tasks.refresh_fault_rollup", dt.timedelta(minutes=10)),
    # Imports whose worker died mid-file resume from their checkpoint.
    PeriodicJob("aftersales.imports.tasks.resume_stalled_imports", dt.timedelta(minutes=10)),
    # Uploaded import files older than IMPORT_KEEP_DAYS deleted (the figures and errors stay).
    PeriodicJob("aftersales.imports.tasks.purge_old_import_files", dt.timedelta(hours=24)),
    # Analytics: the KPI and dashboard rollups from what changed; a full rebuild once a day.
    PeriodicJob("aftersales.analytics.tasks.refresh_analytics", dt.timedelta(minutes=5)),
    PeriodicJob("aftersales.analytics.tasks.rebuild_analytics", dt.timedelta(hours=24)),
    # Triage of new tickets whose job was lost between the commit and the queue.
    PeriodicJob("aftersales.triage.tasks.triage_sweep", dt.timedelta(minutes=10)),
    # Excel exports: a lost or dead export job resumes; files older than EXPORT_KEEP_DAYS are deleted.
    PeriodicJob("aftersales.exports.tasks.resume_stalled_exports", dt.timedelta(minutes=10)),
    PeriodicJob("aftersales.exports.tasks.purge_old_exports", dt.timedelta(hours=24)),
    # Service outlets: last month's statement of every active outlet with work, drafted once (idempotent).
    PeriodicJob("aftersales.outlets.tasks.draft_monthly_settlements", dt.timedelta(hours=1)),
    # Cash advances still unsettled TRAVEL_ADVANCE_SETTLE_DAYS after payment: holder and finance reminded, once a period.
    PeriodicJob("aftersales.travel.tasks.remind_overdue_advances", dt.timedelta(hours=24)),
    # Receivables of finished chargeable work orders missed by the completion hook; outstanding ones follow their job's charge.
    PeriodicJob("aftersales.billing.tasks.sweep_receivables", dt.timedelta(hours=1)),
    # Business calendars in use without this (or, from November, next) year's holiday schedule:
    # the administrators are told, every two weeks until it is entered (docs/calendars.md).
    PeriodicJob("aftersales.sla.tasks.remind_missing_schedules", dt.timedelta(hours=24)),
    # Scheduled reports: each subscription's due period mailed once, failed deliveries retried.
    PeriodicJob("aftersales.reports.tasks.send_due_reports", dt.timedelta(minutes=5)),
    # Short links of messages (/s/<code>) expired for more than 30 days are deleted.
    PeriodicJob("aftersales.notifications.tasks.purge_expired_short_links", dt.timedelta(hours=24)),
    # SMS delivery receipts fetched from the provider when SMS_RECEIPT_POLL is on (no-op otherwise).
    PeriodicJob("aftersales.notifications.tasks.poll_delivery_receipts", dt.timedelta(minutes=10)),
)
