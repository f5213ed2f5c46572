"""The Celery app: queues, the on-commit task base and the liveness signals.

Queues: `intake` for submissions.* (routing and screening), `communications`
for communications.* (drafting, the 60-day clock), `default` for the rest.
Schedules live in settings.CELERY_BEAT_SCHEDULE.
"""

import logging
import os
from functools import partial

from celery import Celery, Task
from celery.signals import beat_init, before_task_publish, heartbeat_sent, worker_ready
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_TASK = "portal.tasks.beat_heartbeat"


class PortalTask(Task):
    """Tasks take ids, are safe to run twice, and are sent only after commit.

    A message that cannot be published (broker down) is logged and left for
    the periodic sweep of the owning app, which finds the work again in the
    database: the request that caused it has already committed and must not
    fail because of the broker.
    """

    def delay_on_commit(self, *args, **kwargs) -> None:
        from django.db import transaction

        transaction.on_commit(partial(self._send_after_commit, args, kwargs))

    def _send_after_commit(self, args, kwargs) -> None:
        try:
            self.apply_async(args, kwargs)
        except OperationalError:
            logger.warning("broker unavailable; %s left for the periodic sweep", self.name)


app = Celery("portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _mark_alive(key: str) -> None:
    import time

    from django.core.cache import cache

    try:
        cache.set(key, time.time(), timeout=None)
    except Exception:  # a missed heartbeat must never stop a worker or beat
        logger.warning("could not record %s", key)


@worker_ready.connect
@heartbeat_sent.connect
def _worker_heartbeat(sender=None, **kwargs) -> None:
    _mark_alive("health:worker")


@beat_init.connect
@before_task_publish.connect(sender=BEAT_HEARTBEAT_TASK)
def _beat_heartbeat(sender=None, **kwargs) -> None:
    # Published only by beat's schedule, so publishing is beat's proof of life.
    _mark_alive("health:beat")
