"""Celery tasks of the communications module: thin adapters over the services."""

from celery import shared_task

from communications import services, stats


@shared_task(name="communications.tick")
def tick() -> None:
    """Beat, often: release what is due and send the reminders; safe to run at any time, any number of times.

    After a release the statistics are worked out here, so that no visitor waits for them."""
    if services.release_due():
        stats.refresh()
    services.reminders_send()
