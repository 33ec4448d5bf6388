"""What the survey's answers set off in the apps that must not import feedback (``core.hooks``):
``webhooks`` sits beside feedback (docs/architecture.md, "Direction of imports"), so the
receivers are named by dotted path and given plain values, never a feedback model.
"""

from __future__ import annotations

from aftersales.core.hooks import hook

# The customer's answer was recorded (``services.survey_submit``), after the survey row, its
# audit row and the verdict on the ticket (closed, or reopened), in that transaction.
# kwargs: ticket (the ticket as the verdict left it), survey_id, round, answers (the questions
# answered: ``overall`` and the other aspects 1–5, ``solved``, ``nps`` 0–10; only those asked),
# has_comment (the comment itself is the customer's free text and stays here), answered_at,
# by_staff (an agent recorded an answer given on the phone).
SURVEY_ANSWERED = hook(
    "survey_answered",
    "aftersales.webhooks.receivers.survey_answered",  # survey.answered
)
