"""The one outbox: a mail is a row of its cause's transaction, sent after commit, once the server takes it.

Real PostgreSQL and real local sockets: a port where nothing listens, a server that never answers, and
an SMTP sink (tests.support.mail).
"""

import datetime
import smtplib

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal import outbox
from portal.embedded import free_port
from portal.models import Mail
from tests.support.mail import SilentServer, SmtpSink, nothing_listens

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    """Django's real SMTP backend, on a local port where nothing listens yet."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    assert nothing_listens(port)
    return port


def queue(key: str = "tests.mail:1", to=("desk@example.org",)) -> Mail | None:
    return outbox.mail_queue(key=key, to=to, subject="Urgent case in the queue", body="Reference: HRD-1")


def test_it_writes_the_mail_in_the_transaction_of_its_cause_and_rolls_it_back_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the cause failed")

    assert not Mail.objects.exists()


def test_it_writes_one_mail_per_cause():
    first, again = queue(), queue()

    assert first.pk == again.pk
    assert Mail.objects.count() == 1


def test_it_writes_nothing_without_recipients():
    assert queue(to=["", " "]) is None
    assert not Mail.objects.exists()


def test_it_keeps_addresses_and_text_encrypted():
    mail = queue(to=["source.private@example.net"])

    with connection.cursor() as cursor:
        cursor.execute('SELECT "to", subject, body FROM portal_mail WHERE id = %s', [mail.pk])
        stored = " ".join(map(str, cursor.fetchone()))
    assert "source.private" not in stored and "HRD-1" not in stored and "Urgent" not in stored


def test_with_the_server_down_it_stays_unsent_and_goes_once_when_the_server_is_back(smtp):
    mail = queue()

    with pytest.raises(ConnectionRefusedError):
        outbox.mail_send(mail_id=mail.pk)
    mail.refresh_from_db()
    assert (mail.sent_at, mail.claimed_at, mail.attempts, mail.last_error) == (None, None, 1, "ConnectionRefusedError")

    with SmtpSink(smtp) as sink:
        assert outbox.mail_send(mail_id=mail.pk) is True
        assert outbox.mail_send(mail_id=mail.pk) is False  # a task delivered again
    (_sender, recipients, message) = sink.messages[0]
    assert len(sink.messages) == 1
    assert recipients == ["desk@example.org"]
    assert message["Subject"] == "Urgent case in the queue"
    mail.refresh_from_db()
    assert mail.sent_at is not None and mail.attempts == 2


def test_a_server_that_never_answers_fails_after_the_email_timeout_and_the_mail_stays_unsent(smtp):
    mail = queue()

    with SilentServer(smtp), pytest.raises((TimeoutError, smtplib.SMTPException)):
        outbox.mail_send(mail_id=mail.pk)

    mail.refresh_from_db()
    assert mail.sent_at is None and mail.claimed_at is None and mail.attempts == 1


def test_a_mail_claimed_by_a_live_sender_is_neither_sent_again_nor_swept(smtp):
    mail = queue()
    Mail.objects.filter(pk=mail.pk).update(
        claimed_at=timezone.now(), created_at=timezone.now() - datetime.timedelta(hours=1)
    )

    with SmtpSink(smtp) as sink:
        assert outbox.mail_send(mail_id=mail.pk) is False
    assert sink.messages == []
    assert outbox.mails_to_resend(older_than_seconds=60) == []


def test_the_claim_of_a_dead_sender_expires_and_the_sweep_sends_the_mail(smtp):
    mail = queue()
    long_ago = timezone.now() - outbox.claim_timeout() - datetime.timedelta(seconds=1)
    Mail.objects.filter(pk=mail.pk).update(claimed_at=long_ago, created_at=long_ago, last_attempt_at=long_ago)

    assert outbox.mails_to_resend(older_than_seconds=60) == [mail.pk]
    with SmtpSink(smtp) as sink:
        assert outbox.mail_send(mail_id=mail.pk) is True
    assert len(sink.messages) == 1


def test_the_sweep_leaves_new_mail_to_its_task_and_mail_just_tried_to_its_retries():
    fresh = queue("tests.mail:fresh")
    lost = queue("tests.mail:lost")
    tried = queue("tests.mail:tried")
    two_minutes_ago = timezone.now() - datetime.timedelta(minutes=2)
    Mail.objects.filter(pk__in=[lost.pk, tried.pk]).update(created_at=two_minutes_ago)
    Mail.objects.filter(pk=tried.pk).update(last_attempt_at=timezone.now())

    assert outbox.mails_to_resend(older_than_seconds=60) == [lost.pk]
    assert fresh.pk not in outbox.mails_to_resend(older_than_seconds=60)
