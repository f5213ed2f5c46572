"""Reads of decrypted personal data leave an append-only audit trail that only administrators read."""

import datetime

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal.audit import audit_read
from portal.models import AuditEvent
from tests.support.staff import (
    attach_text,
    login_staff,
    make_administrator,
    make_desk_officer,
    make_queued_submission,
    make_rapporteur,
)

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/admin/submissions/submission/"
AUDIT = "/admin/portal/auditevent/"


def reads():
    """The audit rows of reads: the people each test makes leave rows of their accounts and roles too."""
    return AuditEvent.objects.exclude(object_type__in=["auth.user", "auth.group"])


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


@pytest.fixture
def submission():
    return make_queued_submission(country="TJ")


@pytest.fixture
def event(submission):
    return audit_read(user=make_desk_officer("central-asia"), obj=submission, fields=["description"])


def test_opening_a_submission_writes_one_audit_event(client, submission):
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)
    before = timezone.now()

    response = client.get(f"{SUBMISSIONS}{submission.pk}/change/")

    assert response.status_code == 200
    (event,) = reads()
    assert (event.user, event.action, event.object_type, event.object_id) == (
        officer,
        "view",
        "submissions.submission",
        str(submission.pk),
    )
    assert {"source_name", "contact_details", "description", "place", "defender.name", "message.body"} <= set(
        event.fields
    )
    assert before <= event.at <= timezone.now()


def test_the_queue_list_and_the_decide_page_show_no_personal_data_and_write_no_event(client, submission):
    login_staff(client, make_desk_officer("central-asia"))

    client.get(SUBMISSIONS)
    client.get(f"{SUBMISSIONS}{submission.pk}/decide/")

    assert not reads().exists()


def test_a_refused_page_writes_no_event(client, submission):
    russia = make_queued_submission(country="RU")
    login_staff(client, make_desk_officer("central-asia"))

    client.get(f"{SUBMISSIONS}{russia.pk}/change/")

    assert not reads().exists()


def test_downloading_an_attachment_writes_one_audit_event(client, submission):
    attachment = attach_text(submission)
    rapporteur = make_rapporteur()
    login_staff(client, rapporteur)

    response = client.get(f"{SUBMISSIONS}{submission.pk}/attachment/{attachment.pk}/original/")

    assert response.status_code == 200
    (event,) = reads()
    assert (event.user, event.action, event.object_type, event.object_id, event.fields) == (
        rapporteur,
        "download",
        "submissions.attachment",
        str(attachment.pk),
        ["original"],
    )


def test_administrators_read_the_audit_trail(client, event):
    login_staff(client, make_administrator())

    listing = client.get(AUDIT)
    detail = client.get(f"{AUDIT}{event.pk}/change/")

    assert listing.status_code == 200
    page = listing.content.decode()
    assert event.user.username in page
    assert "submissions.submission" in page
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


@pytest.mark.parametrize("make_role", [make_desk_officer, make_rapporteur], ids=["desk officer", "rapporteur"])
def test_other_roles_cannot_read_the_audit_trail(client, event, make_role):
    login_staff(client, make_role())

    assert client.get(AUDIT).status_code == 403
    assert client.get(f"{AUDIT}{event.pk}/change/").status_code == 403


@pytest.mark.parametrize("superuser", [False, True], ids=["administrator", "superuser"])
def test_nobody_adds_changes_or_deletes_audit_events_in_the_admin(client, event, superuser):
    login_staff(client, make_administrator(superuser=superuser))
    forged = {"user": event.user_id, "action": "view", "object_type": "x", "object_id": "1", "fields": "description"}
    stored = AuditEvent.objects.values().get(pk=event.pk)

    answers = [
        client.get(f"{AUDIT}add/"),
        client.post(f"{AUDIT}add/", forged),
        client.post(f"{AUDIT}{event.pk}/change/", forged),
        client.get(f"{AUDIT}{event.pk}/delete/"),
        client.post(f"{AUDIT}{event.pk}/delete/", {"post": "yes"}),
    ]
    client.post(AUDIT, {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"})

    assert [response.status_code for response in answers] == [403] * len(answers)
    assert list(reads().values()) == [stored]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE portal_auditevent SET object_id = 'other' WHERE id = %s",
        "UPDATE portal_auditevent SET at = now() - interval '1 year' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ],
    ids=["update", "backdate", "delete"],
)
def test_the_database_refuses_to_change_or_delete_an_audit_event(event, statement):
    stored = AuditEvent.objects.values().get(pk=event.pk)

    with (
        pytest.raises(DatabaseError, match="audit records cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])

    assert list(reads().values()) == [stored]


def test_the_orm_cannot_change_or_delete_audit_events_either(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(at=event.at - datetime.timedelta(days=1))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.get(pk=event.pk).at == event.at


def test_a_user_with_audit_events_cannot_be_deleted(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.user.delete()
