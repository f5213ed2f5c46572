from celery import shared_task

from portal import outbox


@shared_task(name="portal.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled by beat every 30 s; beat records its liveness as it publishes."""


# OSError covers smtplib's errors, refused connections and timeouts. The backoff stays below the
# broker's visibility timeout; after the last retry the sweep goes on trying every minute.
@shared_task(name="portal.send_mail", autoretry_for=(OSError,), retry_backoff=15, retry_backoff_max=300, max_retries=6)
def send_queued_mail(mail_id: int) -> None:
    outbox.mail_send(mail_id=mail_id)


@shared_task(name="portal.mail_sweep")
def mail_sweep(older_than_seconds: int = 60) -> None:
    """Beat, every minute: send again what a lost task or a long outage of the mail server left unsent."""
    for mail_id in outbox.mails_to_resend(older_than_seconds=older_than_seconds):
        send_queued_mail.delay(mail_id)
