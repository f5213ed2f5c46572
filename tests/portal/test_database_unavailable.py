"""While PostgreSQL cannot be reached, pages answer a clean 503; afterwards the portal recovers by itself."""

from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection

from submissions.models import Submission
from tests.support.intake import report_data

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_unreachable():
    real = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(real)


def test_a_submission_while_the_database_is_down_gets_a_clean_503_and_can_be_sent_again(client):
    cache.clear()
    data = {**report_data(), "action": "submit"}

    with database_unreachable():
        down = client.post("/submit/", data)

    assert down.status_code == 503
    html = down.content.decode()
    assert "Your request could not be completed" in html
    for leak in ("Traceback", "OperationalError", "127.0.0.1", "Malika", "psycopg"):
        assert leak not in html
    assert down["Retry-After"] == "30"

    # The database is back: no restart needed, and the same form goes through once.
    again = client.post("/submit/", data)
    assert again.status_code == 200
    assert Submission.objects.count() == 1


def test_public_pages_answer_503_then_recover(client):
    with database_unreachable():
        assert client.get("/communications/").status_code == 503
    assert client.get("/communications/").status_code == 200
