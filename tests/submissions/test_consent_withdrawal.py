"""A source withdraws consent from the receipt page while the mail server is down, or hangs.

The withdrawal commits, the answer never waits on the mail server, the released letter's public record
stops naming the victim at once, and the alert to the desk and the rapporteur goes exactly once when a
mail server is back. Real PostgreSQL, Redis and Celery worker; real local sockets for the mail server.
"""

import datetime
import secrets
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from communications import services as communications
from communications.models import ConsentAlert, PublicRecord
from portal.celery import app
from portal.embedded import free_port
from portal.models import Mail
from portal.tasks import mail_sweep, send_queued_mail
from submissions.models import Consent, Desk, Submission
from tests.support.factories import give_receipt, make_accepted_submission, make_sent_communication, make_staff_user
from tests.support.mail import SilentServer, SmtpSink, nothing_listens
from tests.support.processes import Worker, wait_for
from tests.support.tasks import record_probe

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SMTP = "django.core.mail.backends.smtp.EmailBackend"
PASSPHRASE = "correct horse battery staple river lamp"
DESK_EMAIL = "central-asia@example.org"
RAPPORTEUR_EMAIL = "rapporteur@example.org"
# Far longer than any answer of the portal may take: a request that waited on the mail server would show.
EMAIL_TIMEOUT_OF_THE_SITE = 30


@pytest.fixture(scope="module")
def mail_port():
    return free_port()


@pytest.fixture(scope="module")
def mail_worker(django_db_setup, django_db_blocker, mail_port):
    """A real worker whose mail goes to 127.0.0.1:mail_port, with a short timeout for a server that hangs."""
    app.control.purge()
    worker = Worker(
        CELERY_VISIBILITY_TIMEOUT="10",
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_port),
        EMAIL_TIMEOUT="2",
    )
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def site(settings, mail_port):
    """This process (the web site) with the real SMTP backend on the same port and a long timeout."""
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mail_port
    settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT_OF_THE_SITE
    cache.clear()  # receipt login limits


def released_case() -> Submission:
    """A case whose released letter names the victim, who agreed to be named in public."""
    Desk.objects.filter(code="central-asia").update(email=DESK_EMAIL)
    make_staff_user("rapporteur", "Rapporteur", email=RAPPORTEUR_EMAIL)
    submission = make_accepted_submission(country="TJ", public_naming=True)
    make_sent_communication(submissions=[submission], sent_at=timezone.now() - datetime.timedelta(days=61))
    assert communications.release_due() == 1
    assert "Mamadshoeva" in PublicRecord.objects.get().letter_html
    give_receipt(submission, PASSPHRASE)  # the receipt the source keeps
    return submission


def withdraw_from_the_receipt_page(submission: Submission) -> float:
    """Log in with the receipt and withdraw consent; returns how long the withdrawal took to answer."""
    client = Client()
    login = client.post("/receipt/", {"reference": submission.reference, "passphrase": PASSPHRASE})
    assert login.status_code == 302
    began = time.monotonic()
    response = client.post("/receipt/consent/", {"action": "withdraw_confirmed"})
    elapsed = time.monotonic() - began
    assert response.status_code == 302, response.content.decode()[:2000]
    return elapsed


def assert_it_took_effect_at_once(submission: Submission, elapsed: float) -> Mail:
    assert elapsed < EMAIL_TIMEOUT_OF_THE_SITE / 3  # it did not wait on the mail server
    assert submission.current_consent().withdrawn  # committed: read back from another transaction
    assert Consent.objects.filter(submission=submission, withdrawn=True, via="receipt").count() == 1
    assert "Mamadshoeva" not in PublicRecord.objects.get().letter_html
    assert ConsentAlert.objects.filter(resolved_at__isnull=True).count() == 1
    return Mail.objects.get(key__startswith="communications.consent-alert:")


def tried_and_failed(mail: Mail) -> bool:
    mail.refresh_from_db()
    return mail.attempts >= 1 and mail.claimed_at is None and mail.last_error != ""


def assert_it_goes_once_when_a_server_is_back(mail: Mail, port: int) -> None:
    assert nothing_listens(port)
    with SmtpSink(port) as sink:
        mail_sweep.delay(older_than_seconds=0)
        wait_for(lambda: Mail.objects.get(pk=mail.pk).sent_at is not None, timeout=60, message="the alert")
        # The task delivered again, and the sweep run again, send nothing more.
        send_queued_mail.delay(mail.pk)
        mail_sweep.delay(older_than_seconds=0)
        token = secrets.token_hex(8)
        record_probe.delay(token)  # on the same queue, after them
        wait_for(lambda: cache.get(f"probe:{token}"), timeout=60, message="the worker to pass the probe")
    assert len(sink.messages) == 1
    _sender, recipients, message = sink.messages[0]
    assert sorted(recipients) == sorted([DESK_EMAIL, RAPPORTEUR_EMAIL])
    assert "Consent changed" in message["Subject"]
    assert "Mamadshoeva" not in message.as_string()


def test_with_the_mail_server_down_a_withdrawal_takes_effect_and_its_alert_goes_once_later(
    mail_worker, mail_port, site
):
    assert nothing_listens(mail_port)
    submission = released_case()

    mail = assert_it_took_effect_at_once(submission, withdraw_from_the_receipt_page(submission))

    wait_for(lambda: tried_and_failed(mail), timeout=60, message="the worker to try the mail server")
    assert Mail.objects.get(pk=mail.pk).sent_at is None
    assert_it_goes_once_when_a_server_is_back(mail, mail_port)


def test_with_a_mail_server_that_never_answers_a_withdrawal_takes_effect_and_its_alert_goes_once_later(
    mail_worker, mail_port, site
):
    submission = released_case()

    with SilentServer(mail_port):
        mail = assert_it_took_effect_at_once(submission, withdraw_from_the_receipt_page(submission))
        wait_for(lambda: tried_and_failed(mail), timeout=60, message="the worker to give up on the server")
        assert Mail.objects.get(pk=mail.pk).last_error in ("TimeoutError", "SMTPServerDisconnected")

    assert_it_goes_once_when_a_server_is_back(mail, mail_port)
