"""Reads about communications for staff pages."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from communications.models import Communication, CommunicationStatus

S = CommunicationStatus


@dataclass(frozen=True)
class TimelineStep:
    label: str
    on: date | datetime | None
    # "done": it happened; "due": a date still ahead; "late": a date passed with nothing done; "open": not yet.
    state: str


def communication_timeline(communication: Communication) -> list[TimelineStep]:
    """Drafted, reviewed, approved, sent, reply due, release due: the letter's dates at a glance.

    After "send back to draft" the letter starts over, so only the steps since its latest return to draft
    count; a date of an earlier round would tell staff that something was approved that no longer is."""
    changes = list(communication.status_changes.order_by("created_at", "id"))
    since = [i for i, change in enumerate(changes) if change.to_status == S.DRAFT]
    changes = changes[since[-1] :] if since else changes
    reached = {change.to_status: change.created_at for change in changes}
    now = timezone.now()

    def happened(label, on):
        return TimelineStep(label, on, "done" if on else "open")

    steps = [
        happened("Drafted", reached.get(S.DRAFT, communication.created_at)),
        happened("Submitted for review", reached.get(S.IN_REVIEW)),
        happened("Approved", reached.get(S.APPROVED)),
        happened("Sent", communication.sent_at),
    ]
    due = communication.release_due
    replies = list(communication.replies.order_by("received_on"))
    if replies:
        steps.append(TimelineStep("Reply received", replies[0].received_on, "done"))
    elif due:
        steps.append(TimelineStep("Reply due", due, "late" if due <= now else "due"))
    else:
        steps.append(TimelineStep("Reply due", None, "open"))
    if communication.status == S.RELEASED:
        steps.append(TimelineStep("Released", communication.released_at, "done"))
    elif communication.status == S.WITHHELD:
        steps.append(TimelineStep("Withheld", reached.get(S.WITHHELD), "done"))
    elif due:
        steps.append(TimelineStep("Release due", due, "late" if due <= now else "due"))
    else:
        steps.append(TimelineStep("Release due", None, "open"))
    return steps
