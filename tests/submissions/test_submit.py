import re

import pytest
from django.core.cache import cache

from submissions.consent import CURRENT_VERSION
from submissions.models import Consent, Defender, StatusChange, Submission
from tests.support.intake import (
    CONFIDENTIAL_PEOPLE,
    DEFENDER_NAME,
    NARRATIVE,
    SECOND_DEFENDER_NAME,
    SOURCE_NAME,
    press,
    report_data,
    submit_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tokens_and_limits():
    cache.clear()


def test_the_empty_form_is_private_and_complete(client):
    response = client.get("/submit/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    for section in ("About you", "The defenders concerned", "What happened", "Consent and confirmation"):
        assert section in html
    assert 'name="csrfmiddlewaretoken"' in html
    # No answer is chosen for the person: the consent radios start empty.
    assert not re.search(r'name="consent-contact_government"[^>]*checked', html)
    assert not re.search(r'name="consent-public_naming"[^>]*checked', html)


def test_the_form_is_in_russian_under_ru(client):
    response = client.get("/ru/submit/")

    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()


def every_section(client, response) -> str:
    """The pages of all the sections, reached from `response`'s page with the section list."""
    return "".join(
        press(client, response, f"goto_{section}").content.decode()
        for section in ("source", "defenders", "incident", "consent")
    )


def test_a_validation_error_keeps_every_value_typed(client):
    data = report_data(**{"incident-description": "", "consent-public_naming": ""})

    response = client.post("/submit/", {**data, "action": "review"})

    assert response.status_code == 400
    # The first section with a problem is shown with its errors; each other section shows its own.
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_incident-description"' in html
    html = every_section(client, response)
    assert 'href="#id_consent-public_naming_0"' in html
    for value in (SOURCE_NAME, DEFENDER_NAME, "signal-contact-8899", "Khorog, Gorno-Badakhshan"):
        assert value in html
    assert re.search(r'value="arbitrary_detention"[^>]*checked', html)
    assert re.search(r'name="consent-contact_government" value="yes"[^>]*checked', html)
    assert Submission.objects.count() == 0


def test_review_shows_everything_and_stores_nothing(client):
    response = client.post("/submit/", {**report_data(), "action": "review"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Check your report" in html
    assert NARRATIVE in html and SOURCE_NAME in html
    assert 'type="file"' in html
    assert Submission.objects.count() == 0


def test_people_who_must_never_be_named_are_listed_at_review_and_stored_one_per_line(client):
    review = client.post("/submit/", {**report_data(), "action": "review"}).content.decode()
    assert "People who must never be named" in review
    assert all(name in review for name in CONFIDENTIAL_PEOPLE)

    assert submit_case(client).status_code == 200

    submission = Submission.objects.get()
    assert submission.confidential_people == "\n".join(CONFIDENTIAL_PEOPLE)  # spaces and blank lines dropped
    assert submission.confidential_names == CONFIDENTIAL_PEOPLE


def test_the_list_of_people_never_to_be_named_is_optional_and_limited(client):
    assert submit_case(client, **{"incident-confidential_people": ""}).status_code == 200
    assert Submission.objects.get().confidential_names == []

    many = "\n".join(f"Person{number} Witnessov" for number in range(31))
    response = client.post("/submit/", {**report_data(**{"incident-confidential_people": many}), "action": "review"})
    assert response.status_code == 400
    assert "List at most 30 people, one per line." in response.content.decode()


def test_the_question_of_people_never_to_be_named_is_asked_in_russian(client):
    html = press(client, client.get("/ru/submit/"), "goto_incident", url="/ru/submit/").content.decode()
    assert "Люди, которых нельзя называть" in html


def test_going_back_from_review_keeps_the_answers(client):
    review = client.post("/submit/", {**report_data(), "action": "review"})

    response = press(client, review, "edit")

    assert response.status_code == 200
    html = every_section(client, response)
    assert "error-summary" not in html
    assert NARRATIVE in html and DEFENDER_NAME in html


def test_several_defenders_can_be_added_and_removed_without_javascript(client):
    added = client.post("/submit/", {**report_data(), "action": "add_defender"})
    assert 'name="defender-TOTAL_FORMS" value="2"' in added.content.decode()
    assert "error-summary" not in added.content.decode()

    two = report_data(defenders=2)
    removed = client.post("/submit/", {**two, "action": "remove_defender_0"})
    html = removed.content.decode()
    assert 'name="defender-TOTAL_FORMS" value="1"' in html
    assert SECOND_DEFENDER_NAME in html and DEFENDER_NAME not in html


def test_a_complete_case_is_stored_with_its_consent_and_a_receipt(client):
    response = submit_case(client, defenders=2)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    assert re.fullmatch(r"HRD-[0-9A-Z]{5}-[0-9A-Z]{5}", reference)
    assert len(passphrase.split()) == 6

    submission = Submission.objects.get(reference=reference)
    assert submission.status == "received"
    assert submission.source_name == SOURCE_NAME
    assert submission.description == NARRATIVE
    assert submission.violation_types == ["arbitrary_detention", "torture"]
    assert passphrase not in submission.passphrase_hash
    assert [d.name for d in Defender.objects.filter(submission=submission)] == [DEFENDER_NAME, SECOND_DEFENDER_NAME]

    consent = Consent.objects.get(submission=submission)
    assert (consent.contact_government, consent.public_naming, consent.written_consent) == (True, False, "written")
    assert consent.text_version == CURRENT_VERSION
    assert consent.via == "intake"
    assert consent.recorded_at is not None
    assert StatusChange.objects.get(submission=submission).to_status == "received"


def test_a_report_based_only_on_media_is_accepted_and_flagged(client):
    response = submit_case(client, **{"consent-media_only": "yes"})

    assert response.status_code == 200
    assert Submission.objects.get().media_only is True


def test_the_same_form_sent_twice_is_stored_once(client):
    data = report_data()
    first = client.post("/submit/", {**data, "action": "submit"})
    second = client.post("/submit/", {**data, "action": "submit"})

    assert first.status_code == 200
    assert second.status_code == 409
    assert Submission.objects.count() == 1


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(client):
    response = client.post("/submit/", {**report_data(**{"consent-website": "http://spam"}), "action": "submit"})

    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_the_consent_questions_must_be_answered(client):
    data = report_data(**{"consent-contact_government": "", "consent-written_consent": ""})

    response = client.post("/submit/", {**data, "action": "submit"})

    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_submissions_from_one_client_are_throttled(client, settings):
    settings.SUBMIT_LIMIT_PER_HOUR = limit = 3
    for _ in range(limit):
        assert submit_case(client).status_code == 200
    response = submit_case(client)

    assert response.status_code == 429
    assert Submission.objects.count() == limit


def test_the_receipt_downloads_as_text_only_for_a_true_passphrase(client):
    html = submit_case(client).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)

    good = client.post("/receipt/download/", {"reference": reference, "passphrase": passphrase})
    bad = client.post("/receipt/download/", {"reference": reference, "passphrase": "wrong words"})

    assert good.status_code == 200
    assert good["Content-Disposition"] == 'attachment; filename="receipt.txt"'
    assert reference in good.content.decode() and passphrase in good.content.decode()
    assert bad.status_code == 400
