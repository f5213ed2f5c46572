"""Celery tasks of the intake: thin adapters that load by id and call the services."""

from celery import shared_task

from submissions import services


@shared_task(name="submissions.screen_submission")
def screen_submission(submission_id: int) -> None:
    services.submission_screen(submission_id=submission_id)


@shared_task(name="submissions.send_notifications")
def send_notifications() -> None:
    services.notifications_send()


@shared_task(name="submissions.sweep")
def sweep(older_than_seconds: int = 120) -> None:
    """Beat, every minute: screen what a lost message left unscreened, send what is unsent."""
    for submission_id in services.submissions_to_resend(older_than_seconds=older_than_seconds):
        screen_submission.delay(submission_id)
    services.notifications_send()
