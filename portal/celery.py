"""The Celery app: queues, the on-commit task base and the liveness signals.

Queues: `intake` for submissions.* (routing and screening), `communications`
for communications.* (drafting, the 60-day clock), `default` for the rest.
Production runs a worker per queue group (Procfile), so that screening never
waits behind a burst of letters or reminders; each worker records a heartbeat
per queue it consumes, and /healthz reports every queue.
Schedules live in settings.CELERY_BEAT_SCHEDULE.
"""

import logging
import os
from functools import partial

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import beat_init, before_task_publish, heartbeat_sent, task_postrun, task_prerun, worker_ready
from django.db import close_old_connections, connections, transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_TASK = "portal.tasks.beat_heartbeat"


class PortalTask(DjangoTask):
    """Celery's Django task (sent after commit), except that a broker that is down fails nothing.

    Tasks take ids and are safe to run twice. DjangoTask publishes in an on_commit callback, where a
    broker that is down would raise after the commit, in the request that made the change. Here such a
    message is logged and left for the periodic sweep of the owning app, which finds the work again in
    the database.
    """

    def __call__(self, *args, **kwargs):
        # A task never reads a sealed case, even when run in a process that holds a key (portal.sealing).
        from portal import sealing

        with sealing.using(None):
            return super().__call__(*args, **kwargs)

    def delay_on_commit(self, *args, **kwargs) -> None:
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(partial(self._publish_or_leave, *args, **kwargs))

    def _publish_or_leave(self, *args, **kwargs) -> None:
        try:
            self.apply_async(*args, **kwargs)
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


QUEUES = ("intake", "communications", "default")


def heartbeat_key(queue: str) -> str:
    return f"health:worker:{queue}"


@task_prerun.connect
def _connections_before_task(sender=None, **kwargs) -> None:
    """A task reuses its worker's database connection as a request does (CONN_MAX_AGE, health check).

    Celery's own fixup would open a new one for every task (CELERY_DB_REUSE_MAX in settings turns that
    off): a PostgreSQL backend started and ended per task, about as much database CPU as the report itself.
    """
    if not getattr(sender.request, "is_eager", False):
        close_old_connections()


@task_postrun.connect
def _connections_after_task(sender=None, state=None, **kwargs) -> None:
    # A task that failed may have been stopped mid-query (its soft time limit), leaving a connection that
    # Django would take for usable: closed, as Celery closes every one.
    if getattr(sender.request, "is_eager", False):
        return
    if state == "SUCCESS":
        close_old_connections()
    else:
        connections.close_all()


def _consumed_queues() -> list[str]:
    # In a worker process, the queues of its --queues option (all known queues without one).
    return list(app.amqp.queues.consume_from or app.amqp.queues)


@worker_ready.connect
@heartbeat_sent.connect
def _worker_heartbeat(sender=None, **kwargs) -> None:
    _mark_alive("health:worker")  # some worker is up: what launchers wait for
    for queue in _consumed_queues():
        _mark_alive(heartbeat_key(queue))


@beat_init.connect
@before_task_publish.connect(sender=BEAT_HEARTBEAT_TASK)
def _beat_heartbeat(sender=None, **kwargs) -> None:
    # Published only by beat's schedule, so publishing is beat's proof of life.
    _mark_alive("health:beat")
