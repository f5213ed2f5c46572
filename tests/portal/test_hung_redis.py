"""A Redis that accepts connections and never answers: reports still get their receipts."""

import re
import socket
import threading

import pytest

from portal import throttle
from submissions.models import Submission
from tests.support.intake import submit_case

RECEIPT = re.compile(r'id="receipt-reference">([^<]+)<')


@pytest.fixture
def hung_redis(settings):
    """The cache and the rate limits' store on a listener that accepts every connection and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    held, done = [], threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    # A read gives up after 0.2 s, not production's 2 s (portal.cache): the path taken is the same, and a
    # report touches the cache several times.
    hanging = {"LOCATION": f"redis://127.0.0.1:{port}/0", "OPTIONS": {"socket_timeout": 0.2}}
    settings.CACHES = {
        "default": {**settings.CACHES["default"], **hanging},
        "ratelimit": {**settings.CACHES["ratelimit"], **hanging},
    }
    yield held
    done.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_the_rate_limit_is_not_enforced_while_redis_hangs(hung_redis, rf):
    assert throttle.hit(rf.get("/"), "test", limit=0, window=60) is True
    assert hung_redis  # it did connect: the command timed out, not the connection


@pytest.mark.django_db
def test_a_report_gets_its_receipt_while_redis_hangs(client, hung_redis):
    response = submit_case(client)

    assert response.status_code == 200, response.content.decode()[:2000]
    reference = RECEIPT.search(response.content.decode()).group(1)
    assert Submission.objects.filter(reference=reference).exists()
