"""While PostgreSQL cannot be reached, pages answer a clean 503; afterwards the portal recovers by itself."""

from contextlib import contextmanager

import psycopg2
import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection

from portal.middleware import _database_lost
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


def _raised(statement: str) -> DatabaseError:
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as error:
        return error
    raise AssertionError(f"{statement} raised nothing")


def test_a_connection_lost_mid_statement_is_a_lost_database_even_once_another_connects():
    """psycopg2 reports a server process that ended (an immediate restart) as a plain DatabaseError with no
    SQLSTATE. Something in the request may already have connected to the restarted server when the page is
    answered: it is still a 503, not a 500. An error the server reports in a query is neither."""
    try:
        try:
            raise psycopg2.DatabaseError("server closed the connection unexpectedly")
        except psycopg2.DatabaseError as error:
            raise DatabaseError(*error.args) from error  # as Django wraps it
    except DatabaseError as wrapped:
        lost = wrapped

    assert connection.is_usable()
    assert _database_lost(lost)
    assert not _database_lost(_raised("SELECT 1 / 0"))
    assert not _database_lost(_raised("SELECT * FROM no_such_table"))
    assert connection.is_usable()
