"""Schemathesis against the schema the portal serves: every operation, generated requests, no failure.

The WSGI application runs in this process, on the test's own database
connection, so it sees the records made below without committing them.
"""

import datetime

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings

from communications import services
from communications import stats as archive_stats
from communications.models import PublicReply
from tests.support.documents import pdf_with
from tests.support.factories import make_accepted_submission, make_sent_communication
from tests.support.seeds import ensure_seeded

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def release_a_few():
    """Released records: with a published document, with a confidential reply, without a reply."""
    named = make_accepted_submission(defender_name="Azimjan Askarov", country="TJ", public_naming=True)
    with_document = make_sent_communication(submissions=[named], sent_at=SENT)
    services.reply_record(
        communication=with_document, received_on=datetime.date(2026, 2, 1), kind="substantive", confidential=False,
        summary="The State replies.", document=pdf_with("The State replies."), document_name="reply.pdf",
        content_type="application/pdf",
    )  # fmt: skip
    # The reply is published through an approved public version.
    services.communication_public_approve(communication=with_document, by=with_document.public_approved_by)
    confidential = make_sent_communication(sent_at=SENT + datetime.timedelta(days=1), recipient="OTH", kind="OL")
    services.reply_record(
        communication=confidential, received_on=datetime.date(2026, 2, 2), kind="substantive", confidential=True,
        summary="Secret.",
    )  # fmt: skip
    make_sent_communication(sent_at=SENT + datetime.timedelta(days=2), kind="AL")
    with time_machine.travel(SENT + datetime.timedelta(days=70), tick=False):
        assert services.release_due() == 3
    return with_document.public_record


@pytest.fixture(scope="module")
def released(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()
        record = release_a_few()
        yield record
        transaction.set_rollback(True)


@pytest.fixture
def same_connection(released, settings):
    # As Django's test client does: a finished request must not close the connection that the test's
    # transaction lives on. Schemathesis' WSGI client sends Host: localhost.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    archive_stats.invalidate()  # cleared on commit by a release; this transaction never commits
    yield
    archive_stats.invalidate()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded when the module is collected, from the schema the portal serves (the view reads no database).
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


# Schemathesis' WSGI transport does not undo the gzip that the portal applies when a client accepts it.
PLAIN = {"Accept-Encoding": "identity"}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_its_schema_and_never_fails(case, same_connection):
    case.call_and_validate(headers=PLAIN)


def test_the_real_records_conform_to_the_schema(same_connection, released):
    reply = PublicReply.objects.get(record=released, document__isnull=False)
    cases = [
        schema["/api/v1/communications"]["GET"].Case(query={"limit": 2}),
        schema["/api/v1/communications/{slug}"]["GET"].Case(path_parameters={"slug": released.slug}),
        schema["/api/v1/communications/{slug}/replies/{reply_id}/document"]["GET"].Case(
            path_parameters={"slug": released.slug, "reply_id": reply.pk}
        ),
        schema["/api/v1/stats"]["GET"].Case(),
    ]
    for case in cases:
        response = case.call_and_validate(headers=PLAIN)
        assert response.status_code == 200, case.path
