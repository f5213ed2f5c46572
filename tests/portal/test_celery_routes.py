"""Which worker runs which task: the intake's worker screens reports and nothing that could hold them up."""

import pytest

from portal.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("submissions.screen_submission", "intake"),
        ("submissions.clean_attachment", "intake"),
        ("submissions.sweep", "intake"),
        # Hourly, and long on a backlog (22,813 cases shredded in 3 minutes at 100,000): not before a report.
        ("submissions.retention", "default"),
        ("communications.tick", "communications"),
        ("portal.mail_sweep", "default"),
        ("portal.tasks.beat_heartbeat", "default"),
    ],
)
def test_each_task_is_sent_to_the_queue_of_its_worker(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue
