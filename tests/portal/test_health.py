import time

import pytest
from django.core.cache import cache

from portal.celery import QUEUES, app, heartbeat_key
from tests.support.processes import Worker

WORKERS = ["worker:intake", "worker:communications", "worker:default"]

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_it_answers_200_when_every_part_is_up(client, celery_worker, celery_beat):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert set(body["checks"]) == {"database", "broker", *WORKERS, "beat"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_answers_503_naming_a_stopped_worker(client, celery_worker, celery_beat, settings):
    settings.HEALTH_WORKER_MAX_AGE = 1
    celery_worker.stop()
    try:
        time.sleep(1.5)
        response = client.get("/healthz")
    finally:
        celery_worker.start()

    assert response.status_code == 503
    assert response.json()["down"] == WORKERS


def test_it_names_each_queue_left_without_a_worker(client, celery_worker, celery_beat):
    celery_worker.stop()
    cache.delete_many([heartbeat_key(queue) for queue in QUEUES])  # as if never started
    intake_only = Worker(queues=("intake",))
    try:
        intake_only.start()
        response = client.get("/healthz")
    finally:
        intake_only.stop()
        celery_worker.start()

    assert response.status_code == 503
    assert response.json()["down"] == ["worker:communications", "worker:default"]


def test_it_answers_503_naming_a_stopped_beat(client, celery_worker, celery_beat, settings):
    settings.HEALTH_BEAT_MAX_AGE = 1
    celery_beat.stop()
    try:
        time.sleep(1.5)
        response = client.get("/healthz")
    finally:
        celery_beat.start()

    assert response.status_code == 503
    assert response.json()["down"] == ["beat"]


def test_it_answers_503_naming_an_unreachable_broker(client, celery_worker, celery_beat):
    real = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.close()
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = real
        app.close()

    assert response.status_code == 503
    assert "broker" in response.json()["down"]
