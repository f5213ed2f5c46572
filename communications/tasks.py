"""Celery tasks of the communications module: thin adapters over the services."""

from celery import shared_task

from communications import services


@shared_task(name="communications.tick")
def tick() -> None:
    """Beat, often: release what is due and send the reminders; safe to run at any time, any number of times."""
    services.release_due()
    services.reminders_send()


@shared_task(name="communications.demo_letters")
def demo_letters() -> None:
    """`make run`'s demo letters, a few per run (communications.demo): each run queues the next until done."""
    from communications import demo

    if demo.seed_some():
        demo_letters.delay_on_commit()
