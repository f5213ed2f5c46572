from celery import shared_task


@shared_task(name="portal.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled by beat every 30 s; beat records its liveness as it publishes."""
