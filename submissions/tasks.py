"""Celery tasks of the intake: thin adapters that load by id and call the services."""

from celery import shared_task

from submissions import services


@shared_task(name="submissions.screen_submission")
def screen_submission(submission_id: int) -> None:
    services.submission_screen(submission_id=submission_id)


@shared_task(name="submissions.clean_attachment")
def clean_attachment(attachment_id: int) -> None:
    services.attachment_clean(attachment_id=attachment_id)


@shared_task(name="submissions.sweep")
def sweep(older_than_seconds: int = 120) -> None:
    """Beat, every minute: screen what a lost message left unscreened (mail has its own sweep, portal.mail_sweep)."""
    for submission_id in services.submissions_to_resend(older_than_seconds=older_than_seconds):
        screen_submission.delay(submission_id)
    for attachment_id in services.attachments_to_clean(older_than_seconds=older_than_seconds + 180):
        clean_attachment.delay(attachment_id)


@shared_task(name="submissions.retention")
def retention() -> None:
    """Beat, hourly: destroy the cases past their retention period (settings.RETENTION_DAYS), and the sealed
    files that no attachment names any more."""
    services.retention_sweep()
    services.attachment_files_sweep()
