"""Limits that cannot be turned against sources: behind a proxy, on the onion service, under a flood.

Behind a proxy, X-Forwarded-For is believed only from a trusted peer. On the onion service every
request comes from one address (Tor's), so nothing there may be limited per address: a flood from
one client must leave another client's report and receipt login working.
"""

import ipaddress
import re
import time

import pytest
from django.core import mail
from django.test import Client

from portal import throttle
from portal.models import Mail
from submissions.limits import FORM_TOKEN_POSTS, RECEIPT_REFERENCE_LIMIT, RECEIPT_WAIT_SECONDS, form_token_new
from submissions.models import Submission
from tests.support.intake import report_data, submit_case

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ONION = "portalxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
TOR = "127.0.0.1"  # the tor daemon, the peer of every onion visitor


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]
    settings.SUBMIT_LIMIT_PER_HOUR = 1


@pytest.fixture
def onion(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ONION]
    settings.SUBMIT_LIMIT_PER_HOUR = 1
    settings.RECEIPT_LIMIT_PER_CLIENT = (2, 15 * 60)
    settings.SUBMIT_SITE_BUDGET_PER_HOUR = 3
    settings.INTAKE_ALERT_EMAILS = ["intake@ohchr.example"]


def post_report(client, **headers):
    return client.post("/submit/", {**report_data(), "action": "submit"}, **headers)


def receipt_of(response) -> tuple[str, str]:
    html = response.content.decode()
    return (
        re.search(r'id="receipt-reference">([^<]+)<', html).group(1),
        re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1),
    )


# --- Trusted proxies ------------------------------------------------------------------------------


def test_two_clients_through_a_trusted_proxy_get_limits_of_their_own(behind_proxy):
    proxy = Client(REMOTE_ADDR=PROXY)
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.6"}

    answers = [post_report(proxy, **first), post_report(proxy, **first), post_report(proxy, **second)]

    assert [answer.status_code for answer in answers] == [200, 429, 200]


def test_the_same_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    peer = Client(REMOTE_ADDR="198.51.100.20")

    first = post_report(peer, HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = post_report(peer, HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert [first.status_code, second.status_code] == [200, 429]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("198.51.100.20", "203.0.113.5", "198.51.100.20"),  # not a proxy of ours: the header is ignored
        (PROXY, "203.0.113.5", "203.0.113.5"),
        (PROXY, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # what the client wrote itself comes first
        (PROXY, f"203.0.113.5, {PROXY}", "203.0.113.5"),  # two hops through our own proxies
        (PROXY, "", PROXY),
    ],
)
def test_the_client_address_is_read_through_trusted_proxies_only(behind_proxy, rf, peer, forwarded, client):
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)

    assert throttle.peer_address(request) == client


def test_a_proxy_that_hides_its_clients_has_no_per_address_limit(behind_proxy):
    proxy = Client(REMOTE_ADDR=PROXY)

    assert [post_report(proxy).status_code for _ in range(3)] == [200, 200, 200]


# --- Onion service ----------------------------------------------------------------------------------


def test_a_flood_on_the_onion_service_does_not_stop_another_clients_report_and_staff_hear_of_it(onion):
    attacker, source = Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION), Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)

    flood = [post_report(attacker).status_code for _ in range(6)]
    report = post_report(source)

    assert flood == [200] * 6
    assert report.status_code == 200
    assert "receipt-passphrase" in report.content.decode()
    alerts = Mail.objects.filter(key__startswith="submissions.intake-budget:")
    assert alerts.count() == 1  # once an hour, however long the flood
    assert alerts.get().to == "intake@ohchr.example"
    assert not mail.outbox  # sent by a worker, after commit, never in the request


def test_a_flood_of_receipt_guesses_on_the_onion_service_does_not_stop_another_clients_login(onion):
    reference, passphrase = receipt_of(post_report(Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)))
    attacker = Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)
    for number in range(10):
        guess = {"reference": f"HRD-00000-{number:05d}", "passphrase": "a b c d e f"}
        assert attacker.post("/receipt/", guess).status_code == 400

    owner = Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)
    answer = owner.post("/receipt/", {"reference": reference, "passphrase": passphrase})

    assert answer.status_code == 302


def test_a_flood_of_wrong_passphrases_on_a_known_reference_does_not_lock_its_owner_out(onion):
    reference, passphrase = receipt_of(post_report(Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)))
    attacker = Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)
    flood = [
        attacker.post("/receipt/", {"reference": reference, "passphrase": f"wrong guess {n}"}).status_code
        for n in range(RECEIPT_REFERENCE_LIMIT[0] + 10)
    ]
    # The guesser is slowed: past the budget, a try needs a form that waited, and each form counts once.
    waited = form_token_new(issued_at=time.time() - RECEIPT_WAIT_SECONDS)
    again = [
        attacker.post("/receipt/", {"reference": reference, "passphrase": "wrong", "token": waited}).status_code
        for _ in range(2)
    ]

    owner = Client(REMOTE_ADDR=TOR, HTTP_HOST=ONION)
    page = owner.post("/receipt/", {"reference": reference, "passphrase": passphrase})
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    assert page.status_code == 429  # told to wait half a minute, with a fresh form
    owner_token = form_token_new(issued_at=time.time() - RECEIPT_WAIT_SECONDS)
    opened = owner.post("/receipt/", {"reference": reference, "passphrase": passphrase, "token": owner_token})

    assert flood == [400] * RECEIPT_REFERENCE_LIMIT[0] + [429] * 10
    assert again == [400, 429]
    assert token  # the form the owner is given to wait with
    assert opened.status_code == 302


# --- The form token -----------------------------------------------------------------------------------


def test_a_report_sent_faster_than_a_person_fills_the_form_is_not_taken_and_not_lost(settings, client):
    settings.FORM_MIN_FILL_SECONDS = 5
    data = {**report_data(token=form_token_new()), "action": "submit"}

    hurried = client.post("/submit/", data)
    token = re.search(r'name="token" value="([^"]+)"', hurried.content.decode()).group(1)

    assert hurried.status_code == 400
    assert "sent too quickly" in hurried.content.decode()
    assert token == data["token"]  # the same form, sent again after a few seconds, is taken
    assert Submission.objects.count() == 0
    assert client.post("/submit/", {**data, "token": form_token_new(issued_at=time.time() - 5)}).status_code == 200


def test_a_forged_or_missing_token_gets_the_form_back_with_a_genuine_one(client):
    for forged in ["0123456789abcdef0123456789abcdef", "", "x" * 500]:
        response = client.post("/submit/", {**report_data(token=forged), "action": "submit"})

        assert response.status_code == 400
        assert "This form had expired" in response.content.decode()
    assert Submission.objects.count() == 0


def test_the_token_is_checked_before_any_attachment_is_opened(settings, client):
    settings.FORM_MIN_FILL_SECONDS = 5
    broken = ("evidence.pdf", b"%PDF-1.7\nnot a pdf at all", "application/pdf")
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**report_data(token=form_token_new()), "action": "submit", "attachments-files": SimpleUploadedFile(*broken)}
    response = client.post("/submit/", data)

    assert response.status_code == 400
    assert "sent too quickly" in response.content.decode()
    assert "evidence.pdf" not in response.content.decode()  # not read, so not judged


@pytest.mark.slow  # forty-one posts of the whole form
def test_a_token_answers_a_limited_number_of_posts(client):
    data = report_data()
    answers = [client.post("/submit/", {**data, "action": "edit"}).status_code for _ in range(FORM_TOKEN_POSTS + 1)]

    assert answers == [200] * FORM_TOKEN_POSTS + [429]
    assert "sent too many times" in client.post("/submit/", {**data, "action": "edit"}).content.decode()


def test_a_token_is_used_once(client):
    data = report_data()
    first = client.post("/submit/", {**data, "action": "submit"})
    second = client.post("/submit/", {**data, "action": "submit"})

    assert (first.status_code, second.status_code) == (200, 409)
    assert Submission.objects.count() == 1


def test_the_intake_flow_still_works_from_the_empty_form(client):
    page = client.get("/submit/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    assert submit_case(client, token=token).status_code == 200
