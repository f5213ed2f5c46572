"""Celery tasks of the communications module: thin adapters over the services."""

from celery import shared_task

from communications import services


@shared_task(name="communications.tick")
def tick() -> None:
    """Beat, often: release what is due and send the reminders; safe to run at any time, any number of times."""
    services.release_due()
    services.reminders_send()
