"""After a full submission, no personal value can be read from the database or the disk."""

import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.support.intake import PERSONAL_VALUES, submit_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def every_row_as_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        dump = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608 - names from pg_tables
            dump += [row[0] for row in cursor.fetchall()]
    return "\n".join(dump)


def test_no_personal_value_appears_in_a_plain_sql_read(client):
    assert submit_case(client, defenders=2).status_code == 200

    dump = every_row_as_text()

    assert "HRD-" in dump  # the read does see the submission
    for value in PERSONAL_VALUES:
        assert value not in dump


def test_no_personal_value_appears_in_stored_files(client):
    assert submit_case(client).status_code == 200

    for path in settings.MEDIA_ROOT.rglob("*") if settings.MEDIA_ROOT.exists() else []:
        if path.is_file():
            content = path.read_bytes()
            for value in PERSONAL_VALUES:
                assert value.encode() not in content


def test_no_personal_value_is_logged_during_a_full_submission(client, caplog):
    caplog.set_level(logging.DEBUG)

    response = submit_case(client, defenders=2)

    assert response.status_code == 200
    assert "submission" in caplog.text  # the intake does log, by id
    for value in PERSONAL_VALUES:
        assert value not in caplog.text
