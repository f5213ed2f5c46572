"""Celery tasks of the communications module: thin adapters over the services."""

import contextlib

from celery import shared_task

from communications import services, stats
from portal.cache import RedisUnavailable


@shared_task(name="communications.tick")
def tick() -> None:
    """Beat, often: release what is due and send the reminders; safe to run at any time, any number of times.

    After a release the statistics are worked out here, last, so that no visitor waits for them; a cache that
    is down then leaves them to the next visitor, as before, and holds up neither release nor reminders."""
    released = services.release_due()
    services.reminders_send()
    if released:
        with contextlib.suppress(RedisUnavailable):
            stats.refresh()
