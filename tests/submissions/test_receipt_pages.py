import datetime
import re
import time

import pytest
import time_machine
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from submissions import services
from submissions.limits import RECEIPT_REFERENCE_LIMIT, RECEIPT_WAIT_SECONDS, form_token_new
from submissions.models import Consent, Message, Status
from submissions.views import (
    RECEIPT_MESSAGES_PER_HOUR,
    RECEIPT_SESSION_MAX_SECONDS,
    RECEIPT_SESSION_STARTED,
)
from tests.support.intake import submit_case

pytestmark = pytest.mark.django_db

UNKNOWN = "HRD-00000-00001"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def receipt(client):
    html = submit_case(client).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    client.cookies.clear()
    return reference, passphrase


def login(client, reference, passphrase, token=""):
    return client.post("/receipt/", {"reference": reference, "passphrase": passphrase, "token": token})


def test_it_opens_the_case_with_the_receipt(client, receipt):
    response = login(client, *receipt)

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert receipt[0] in page.content.decode()
    assert "Received" in page.content.decode()


def test_the_case_needs_a_login(client, receipt):
    response = client.get("/receipt/case/")

    assert response.status_code == 302
    assert response["Location"] == "/receipt/"


def test_an_unknown_reference_and_a_wrong_passphrase_get_the_same_answer(client, receipt):
    wrong = login(client, receipt[0], "not the right words at all")
    unknown = login(client, UNKNOWN, receipt[1])

    assert wrong.status_code == unknown.status_code == 400
    strip = lambda html: re.sub(r'name="(csrfmiddlewaretoken|reference|token)" value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong.content.decode()) == strip(unknown.content.decode())


def test_wrong_passphrases_slow_down_the_reference_without_locking_its_owner_out(client, receipt):
    limit = RECEIPT_REFERENCE_LIMIT[0]
    for _ in range(limit):
        assert login(client, receipt[0], "wrong guess").status_code == 400

    # Past the budget, no passphrase is checked without a login form that waited...
    refused = login(client, *receipt)
    assert refused.status_code == 429
    assert "Wait 30 seconds, then send the form again" in refused.content.decode()
    # ...and one that waited opens the case, once.
    waited = form_token_new(issued_at=time.time() - RECEIPT_WAIT_SECONDS)
    assert login(client, *receipt, token=waited).status_code == 302
    client.cookies.clear()
    assert login(client, *receipt, token=waited).status_code == 429


def test_guesses_across_references_are_throttled_per_client(client, receipt, settings):
    for number in range(settings.RECEIPT_LIMIT_PER_CLIENT[0]):
        assert login(client, f"HRD-00000-{number:05d}", "guess").status_code == 400

    assert login(client, *receipt).status_code == 429


def test_the_receipt_download_shares_the_login_limits(client, receipt):
    # The download checks a passphrase too: it must not be a way around the login's limits.
    download = lambda passphrase: client.post(  # noqa: E731
        "/receipt/download/", {"reference": receipt[0], "passphrase": passphrase}
    )
    for _ in range(RECEIPT_REFERENCE_LIMIT[0]):
        assert download("wrong guess").status_code == 400

    assert download(receipt[1]).status_code == 429
    assert login(client, *receipt).status_code == 429


def test_a_receipt_session_ends_at_its_absolute_lifetime_however_active(client, receipt):
    assert login(client, *receipt).status_code == 302
    session = client.session
    session[RECEIPT_SESSION_STARTED] -= RECEIPT_SESSION_MAX_SECONDS + 1
    session.save()

    response = client.get("/receipt/case/")

    assert response.status_code == 302
    assert response["Location"] == "/receipt/"


def test_a_receipt_session_ends_after_30_idle_minutes_and_is_saved_once_a_minute_at_most(client, receipt):
    """As a staff session (tests/portal/test_staff_login.py): requests within a minute of the last save leave
    the session's end alone, the next one moves it, and thirty-one idle minutes end it."""
    second = datetime.timedelta(seconds=1)

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert login(client, *receipt).status_code == 302
        assert client.get("/receipt/case/").status_code == 200
        saved = expiry()

        traveller.shift(59 * second)
        assert client.get("/receipt/case/").status_code == 200
        assert expiry() == saved

        traveller.shift(1 * second)
        assert client.get("/receipt/case/").status_code == 200
        assert expiry() == saved + 60 * second

        # Redis drops its copy by its own clock, which does not travel with the test: drop it as Redis would.
        traveller.shift(31 * 60 * second)
        cache.delete(SessionStore(client.session.session_key).cache_key)
        response = client.get("/receipt/case/")
        assert response.status_code == 302
        assert response["Location"] == "/receipt/"


def test_messages_from_one_receipt_session_are_limited(client, receipt):
    assert login(client, *receipt).status_code == 302
    post = lambda: client.post("/receipt/message/", {"message-body": "More details about the arrest"})  # noqa: E731
    answers = [post().status_code for _ in range(RECEIPT_MESSAGES_PER_HOUR + 1)]

    assert answers == [302] * RECEIPT_MESSAGES_PER_HOUR + [429]
    assert Message.objects.count() == RECEIPT_MESSAGES_PER_HOUR


def test_the_source_sees_a_coarse_status_and_no_staff_internals(client, receipt, django_user_model):
    officer = django_user_model.objects.create_user("officer.karimov", password="x" * 16)
    submission = services.receipt_authenticate(reference=receipt[0], passphrase=receipt[1])
    services.submission_status_change(
        submission=submission,
        to_status=Status.IN_REVIEW,
        from_statuses=[Status.RECEIVED],
        actor="staff",
        changed_by=officer,
        reason="Internal note: check with the Dushanbe desk",
    )
    login(client, *receipt)

    html = client.get("/receipt/case/").content.decode()

    assert "Under review" in html
    assert "In review" not in html
    assert "officer.karimov" not in html
    assert "Internal note" not in html


def test_the_source_answers_a_staff_question(client, receipt, django_user_model):
    officer = django_user_model.objects.create_user("officer", password="x" * 16)
    submission = services.receipt_authenticate(reference=receipt[0], passphrase=receipt[1])
    question = Message.objects.create(
        submission=submission, direction="to_source", body="When was the first summons?", author=officer
    )
    login(client, *receipt)
    assert "When was the first summons?" in client.get("/receipt/case/").content.decode()

    response = client.post("/receipt/message/", {"message-body": "On 3 October, by phone."})

    assert response.status_code == 302
    answer = Message.objects.get(direction="from_source")
    assert answer.body == "On 3 October, by phone."
    assert answer.reply_to == question


def test_consent_changes_and_withdrawal_are_each_kept(client, receipt):
    login(client, *receipt)

    client.post(
        "/receipt/consent/",
        {
            "action": "change",
            "consent-contact_government": "yes",
            "consent-public_naming": "yes",
            "consent-written_consent": "written",
        },
    )
    client.post("/receipt/consent/", {"action": "withdraw_confirmed"})

    history = list(Consent.objects.order_by("recorded_at", "id"))
    assert [(c.contact_government, c.public_naming, c.withdrawn, c.via) for c in history] == [
        (True, False, False, "intake"),
        (True, True, False, "receipt"),
        (False, False, True, "receipt"),
    ]
    assert history[-1].submission.current_consent() == history[-1]
    html = client.get("/receipt/case/").content.decode()
    assert "Consent has been withdrawn." in html


def test_logging_out_ends_the_receipt_session(client, receipt):
    login(client, *receipt)

    client.post("/receipt/logout/")

    assert client.get("/receipt/case/").status_code == 302


def test_withdrawing_all_consent_asks_once_more_before_it_acts(client, receipt):
    login(client, *receipt)

    asked = client.post("/receipt/consent/", {"action": "withdraw"})

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Withdraw all consent?" in html and 'value="withdraw_confirmed"' in html
    assert not Consent.objects.filter(submission__reference=receipt[0], withdrawn=True).exists()

    client.post("/receipt/consent/", {"action": "withdraw_confirmed"})
    assert Consent.objects.filter(submission__reference=receipt[0], withdrawn=True).exists()
