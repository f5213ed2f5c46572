"""The one outbox of every mail the portal sends: staff alerts, reminders, notices to sources.

A mail is a row (portal.models.Mail) written by `mail_queue()` inside the transaction of the change
that causes it, so the change and its mail commit or fail together. After commit a Celery task
(portal.send_mail) sends it and retries; the periodic sweep (portal.mail_sweep) sends again what a
lost task or a long outage left behind. No request ever talks to a mail server.

Delivery is at least once: a row is claimed with a conditional UPDATE, so parallel workers and the
sweep never send it together, and it is marked sent only after the server accepted it. A worker
killed between the two sends it again once its claim is stale.

Mails to staff name references and links, never personal data of a case.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.models import Mail

logger = logging.getLogger(__name__)


def claim_timeout() -> timedelta:
    # A task is killed at CELERY_TASK_TIME_LIMIT: an older claim belongs to a dead worker.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def mail_queue(*, key: str, to: Iterable[str], subject: str, body: str) -> Mail | None:
    """Write a mail to send after commit; None without recipients. A key already used writes nothing."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        return None
    with transaction.atomic():
        mail, created = Mail.objects.get_or_create(
            key=key, defaults={"to": "\n".join(recipients), "subject": subject, "body": body}
        )
        if created:
            from portal.tasks import send_queued_mail

            send_queued_mail.delay_on_commit(mail.pk)
    return mail


def mail_send(*, mail_id: int) -> bool:
    """Send one mail unless it is sent or being sent; True if it went now.

    A failure of the mail server is raised (the task retries) after the claim is given back.
    """
    now = timezone.now()
    claimed = (
        Mail.objects.filter(pk=mail_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_timeout()))
        .update(claimed_at=now, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return False
    mail = Mail.objects.get(pk=mail_id)
    try:
        EmailMessage(mail.subject, mail.body, None, mail.recipients).send()
    except Exception as error:
        Mail.objects.filter(pk=mail_id, claimed_at=now).update(claimed_at=None, last_error=type(error).__name__[:100])
        logger.warning("mail %s not sent (%s); it will be tried again", mail_id, type(error).__name__)
        raise
    # Sent: the addresses and the text are used up (a source's own address among them), so they go.
    Mail.objects.filter(pk=mail_id).update(sent_at=timezone.now(), claimed_at=None, last_error="", to="", body="")
    logger.info("mail %s sent", mail_id)
    return True


def mails_to_resend(*, older_than_seconds: int = 60) -> list[int]:
    """Unsent mails that no task holds and nobody tried in the last while: their task was lost or gave up."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    return list(
        Mail.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_timeout()))
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=cutoff))
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
