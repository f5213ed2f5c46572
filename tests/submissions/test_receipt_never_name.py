"""The source changes, from the receipt, the list of people who must never be named.

Names are added as the intake form takes them (one per line, spaces collapsed, each once), stored sealed,
and recorded in the case's history and the audit by count only; taking one off asks once more; a refused
form keeps what was typed; the page needs the receipt login and the form's CSRF token.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from portal.models import AuditEvent
from submissions.forms import MAX_CONFIDENTIAL_PEOPLE
from submissions.models import NeverNamedChange, StatusChange, Submission
from tests.submissions.test_encryption_at_rest import every_row_as_text
from tests.support.intake import CONFIDENTIAL_PEOPLE, submit_case

pytestmark = pytest.mark.django_db

URL = "/receipt/never-name/"
ADDED = "Rustam   Brotherov\n\nРустам Братов\nGulnora Witnessova\n"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def receipt_of(client) -> tuple[str, str]:
    html = submit_case(client).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    client.cookies.clear()
    return reference, passphrase


@pytest.fixture
def source(client) -> Submission:
    reference, passphrase = receipt_of(client)
    assert client.post("/receipt/", {"reference": reference, "passphrase": passphrase}).status_code == 302
    return Submission.objects.get(reference=reference)


def test_it_needs_the_receipt_login(client):
    assert client.get(URL)["Location"] == "/receipt/"
    response = client.post(URL, {"action": "add", "never-names": "Rustam Brotherov"})
    assert response["Location"] == "/receipt/"


def test_the_case_page_links_to_the_list_with_its_count(client, source):
    page = client.get("/receipt/case/").content.decode()

    assert "2 people are on your list of people who must never be named." in page
    assert f'href="{URL}"' in page


def test_it_shows_the_list_and_adds_names_as_the_intake_form_takes_them(client, source):
    page = client.get(URL)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    for name in CONFIDENTIAL_PEOPLE:
        assert name in page.content.decode()

    response = client.post(URL, {"action": "add", "never-names": ADDED})

    assert response.status_code == 302 and response["Location"] == URL
    source.refresh_from_db()
    assert source.confidential_names == [*CONFIDENTIAL_PEOPLE, "Rustam Brotherov", "Рустам Братов"]
    shown = client.get(URL).content.decode()
    assert "2 names were added to the list." in shown
    assert "Рустам Братов" in shown
    assert "2 names were added" not in client.get(URL).content.decode()  # said once


def test_it_is_stored_sealed_and_recorded_without_the_names(client, source):
    client.post(URL, {"action": "add", "never-names": ADDED})

    change = NeverNamedChange.objects.get(submission=source)
    assert (change.added, change.removed) == (2, 0)
    event = AuditEvent.objects.get(action="never-named list changed")
    assert (event.object_id, event.user) == (str(source.pk), None)
    assert event.fields == sorted(["confidential_people", "added 2", "removed 0"])
    history = StatusChange.objects.filter(submission=source).order_by("-created_at", "-id").first()
    assert history.actor == "source"
    assert history.reason == "The source changed the list of people never to be named: 2 added, 0 taken off"
    dump = every_row_as_text()
    for name in ("Brotherov", "Братов", *CONFIDENTIAL_PEOPLE):
        assert name not in dump


def test_a_refused_addition_keeps_what_was_typed_and_says_why(client, source):
    too_many = "\n".join(f"Person Number{index}" for index in range(MAX_CONFIDENTIAL_PEOPLE))

    response = client.post(URL, {"action": "add", "never-names": too_many})
    nothing = client.post(URL, {"action": "add", "never-names": "  \n "})
    again = client.post(URL, {"action": "add", "never-names": CONFIDENTIAL_PEOPLE[0]})

    assert response.status_code == nothing.status_code == again.status_code == 400
    page = response.content.decode()
    assert f"List at most {MAX_CONFIDENTIAL_PEOPLE} people, one per line." in page
    assert 'id="error-summary"' in page
    assert "Person Number29" in page  # the textarea still holds it
    assert "Fill this in." in nothing.content.decode()
    assert "These names are on the list already." in again.content.decode()
    source.refresh_from_db()
    assert source.confidential_names == CONFIDENTIAL_PEOPLE
    assert not NeverNamedChange.objects.exists()


def test_taking_a_name_off_asks_once_more(client, source):
    asked = client.post(URL, {"action": "remove", "name": CONFIDENTIAL_PEOPLE[0]})

    assert asked.status_code == 200 and "Take this name off the list?" in asked.content.decode()
    source.refresh_from_db()
    assert source.confidential_names == CONFIDENTIAL_PEOPLE

    done = client.post(URL, {"action": "remove_confirmed", "name": CONFIDENTIAL_PEOPLE[0]})
    twice = client.post(URL, {"action": "remove_confirmed", "name": CONFIDENTIAL_PEOPLE[0]})

    assert done["Location"] == twice["Location"] == URL
    source.refresh_from_db()
    assert source.confidential_names == CONFIDENTIAL_PEOPLE[1:]
    assert list(NeverNamedChange.objects.values_list("added", "removed")) == [(0, 1)]
    assert "One name was taken off the list." in client.get(URL).content.decode()


def token_of(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def test_a_post_needs_the_csrf_token():
    reference, passphrase = receipt_of(Client())
    browser = Client(enforce_csrf_checks=True)
    login = {
        "reference": reference,
        "passphrase": passphrase,
        "csrfmiddlewaretoken": token_of(browser.get("/receipt/")),
    }
    assert browser.post("/receipt/", login).status_code == 302

    forged = browser.post(URL, {"action": "add", "never-names": "Rustam Brotherov"})
    token = token_of(browser.get(URL))
    sent = browser.post(URL, {"action": "add", "never-names": "Rustam Brotherov", "csrfmiddlewaretoken": token})

    assert (forged.status_code, sent.status_code) == (403, 302)
    assert Submission.objects.get(reference=reference).confidential_names[-1] == "Rustam Brotherov"
    assert NeverNamedChange.objects.count() == 1


def test_another_sources_session_changes_only_its_own_case(client, source):
    other = Client()
    reference, passphrase = receipt_of(other)
    assert other.post("/receipt/", {"reference": reference, "passphrase": passphrase}).status_code == 302

    other.post(URL, {"action": "add", "never-names": "Rustam Brotherov"})
    other.post(URL, {"action": "remove_confirmed", "name": CONFIDENTIAL_PEOPLE[0]})

    source.refresh_from_db()
    assert source.confidential_names == CONFIDENTIAL_PEOPLE
    assert Submission.objects.get(reference=reference).confidential_names == [
        CONFIDENTIAL_PEOPLE[1],
        "Rustam Brotherov",
    ]
