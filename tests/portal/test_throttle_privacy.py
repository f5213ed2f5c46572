"""Floods of reports and of receipt guesses are throttled, and the client's address is kept nowhere.

tests/submissions/test_submit.py and test_receipt_pages.py show that the limits answer 429. Here one client
(REMOTE_ADDR 203.0.113.77, with a different X-Forwarded-For on every request) goes past each limit; then
every Redis key and value, every row of every table (as PostgreSQL prints it, and decrypted through the
models), every session and every log line is searched for the address, in clear and as a plain hash.
"""

import hashlib
import logging
import re

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client

from portal.crypto import encrypted_fields
from submissions.models import Submission
from submissions.views import LOGIN_LIMIT_PER_CLIENT
from tests.support.intake import NARRATIVE, report_data, submit_case

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
OTHER_ADDRESS = "198.51.100.9"
# The address as it would be found if it were kept: in clear, in hex (a bytea column), or hashed without a key.
FORMS = [
    ADDRESS,
    ADDRESS.encode().hex(),
    *(hashlib.new(name, ADDRESS.encode()).hexdigest() for name in ("md5", "sha1", "sha256")),
]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def forwarded(number: int) -> dict:
    # A client cannot lift its limit by claiming to be another one.
    return {"HTTP_X_FORWARDED_FOR": f"192.0.2.{number % 250}", "HTTP_X_REAL_IP": f"192.0.2.{number % 250}"}


def redis_contents() -> list[tuple[bytes, bytes, int]]:
    """(key, value, ttl) of every key of every database of the Redis that the portal uses."""
    found = []
    first = redis.Redis.from_url(settings.REDIS_URL)
    databases = [int(name.removeprefix("db")) for name in first.info("keyspace")]
    for number in databases:
        client = redis.Redis.from_url(settings.REDIS_URL, db=number)
        for key in client.scan_iter(count=1000):
            kind = client.type(key).decode()
            if kind == "string":
                value = client.get(key) or b""
            elif kind == "hash":
                value = b" ".join(k + b"=" + v for k, v in client.hgetall(key).items())
            elif kind == "list":
                value = b" ".join(client.lrange(key, 0, -1))
            elif kind == "set":
                value = b" ".join(client.smembers(key))
            elif kind == "zset":
                value = b" ".join(client.zrange(key, 0, -1))
            else:
                value = repr(client.xrange(key) if kind == "stream" else kind).encode()
            found.append((key, value, client.ttl(key)))
    return found


def database_text() -> str:
    """Every row of every table as PostgreSQL prints it, then every encrypted value decrypted."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (names from the catalogue)
            parts += [row[0] for row in cursor.fetchall()]
    for model in apps.get_models():
        names = encrypted_fields(model)
        for values in model._default_manager.values_list(*names) if names else []:
            parts += [bytes(value).hex() if isinstance(value, bytes | memoryview) else str(value) for value in values]
    for session in Session.objects.all():
        parts.append(repr(session.get_decoded()))
    return "\n".join(parts)


def assert_address_kept_nowhere(caplog, *, stored_text: str):
    contents = redis_contents()
    assert any(b"throttle:" in key for key, _value, _ttl in contents), "not the Redis the portal counts in"
    for key, value, ttl in contents:
        for form in FORMS:
            assert form.encode() not in key, key
            assert form.encode() not in value, key
        if b"throttle:" in key:
            assert 0 < ttl <= 3600, (key, ttl)  # a limit's counter goes when its window ends
    stored = database_text()
    assert stored_text in stored, "the search did not read the decrypted rows"
    for form in FORMS:
        assert form not in stored, form
    for record in caplog.records:
        line = record.getMessage()
        assert all(form not in line for form in FORMS), line


def test_a_flood_of_reports_is_throttled_and_the_address_is_kept_nowhere(settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.SUBMIT_LIMIT_PER_HOUR = limit = 2
    client = Client(REMOTE_ADDR=ADDRESS)

    answers = [
        client.post("/submit/", {**report_data(token=f"{number:032d}"), "action": "submit"}, **forwarded(number))
        for number in range(limit + 2)
    ]
    elsewhere = Client(REMOTE_ADDR=OTHER_ADDRESS).post("/submit/", {**report_data(token="e" * 32), "action": "submit"})

    assert [answer.status_code for answer in answers] == [200] * limit + [429, 429]
    page = answers[-1].content.decode()
    assert "Too many reports from this connection" in page
    assert "Nothing from this attempt was stored" in page
    assert elsewhere.status_code == 200  # the limit is per client
    assert Submission.objects.count() == limit + 1
    assert_address_kept_nowhere(caplog, stored_text=NARRATIVE)


def test_a_flood_of_receipt_guesses_is_throttled_and_the_address_is_kept_nowhere(caplog):
    caplog.set_level(logging.DEBUG)
    html = submit_case(Client(REMOTE_ADDR=OTHER_ADDRESS)).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    client = Client(REMOTE_ADDR=ADDRESS)
    limit = LOGIN_LIMIT_PER_CLIENT[0]

    opened = client.post("/receipt/", {"reference": reference, "passphrase": passphrase})  # a session to search
    answers = [
        client.post(
            "/receipt/",
            {"reference": f"HRD-00000-{number:05d}", "passphrase": "one two three four five six"},
            **forwarded(number),
        )
        for number in range(limit + 1)
    ]
    elsewhere = Client(REMOTE_ADDR=OTHER_ADDRESS).post(
        "/receipt/", {"reference": "HRD-00000-99999", "passphrase": "one two three four five six"}
    )

    assert opened.status_code == 302
    assert [answer.status_code for answer in answers] == [400] * (limit - 1) + [429, 429]
    assert re.search(r'role="alert">Too many attempts\. Wait 15 minutes', answers[-1].content.decode())
    assert elsewhere.status_code == 400
    assert Session.objects.exists()
    assert_address_kept_nowhere(caplog, stored_text=NARRATIVE)
