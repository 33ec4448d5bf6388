"""Every audit action the knowledge base records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class KnowledgeAudit(AuditAction):
    ARTICLE_CREATED = "knowledge.article_created"
    ARTICLE_UPDATED = "knowledge.article_updated"
    ARTICLE_IN_REVIEW = "knowledge.article_in_review"
    ARTICLE_PUBLISHED = "knowledge.article_published"
    ARTICLE_DRAFT = "knowledge.article_draft"  # sent back by the reviewer, or reopened for revision
    ARTICLE_ARCHIVED = "knowledge.article_archived"
    ATTACHMENT_ADDED = "knowledge.attachment_added"
    SOLVED_TICKET = "knowledge.solved_ticket"
