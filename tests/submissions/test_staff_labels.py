"""Staff read the source's answers in the third person ("Source’s name"), while the intake form keeps
asking the source in the second ("Your name"): one set of words for each reader."""

import pytest
from django.core.cache import cache

from tests.support.staff import login_staff, make_desk_officer, make_queued_submission

pytestmark = pytest.mark.django_db

QUEUE = "/admin/submissions/submission/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def case_page(client, **answers) -> str:
    officer = make_desk_officer("central-asia")
    case = make_queued_submission(**answers)
    login_staff(client, officer)
    response = client.get(f"{QUEUE}{case.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_labels_the_source_in_the_third_person(client):
    html = case_page(client)

    for label in (
        "Source’s name:",
        "How the source knows the facts:",
        "The source’s relationship to the victim:",
        "Safe way to contact the source:",
        "The source’s contact details:",
        "Is it safe to contact the source:",
        "The source’s email for notifications:",
        "The source acts in good faith:",
    ):
        assert label in html, label
    for second_person in ("Your name", "Your relationship", "contact you", "How you know"):
        assert second_person not in html, second_person


def test_the_source_s_own_choices_read_as_about_the_source(client):
    html = case_page(
        client, source_relationship="victim", contact_method="receipt_only", contact_details="", contact_safety="safe"
    )

    assert "The source is the victim" in html
    assert "Not to be contacted: the source checks with the receipt" in html
    assert "Safe to contact" in html
    for first_person in ("I am the victim", "Do not contact me", "it is safe to contact me"):
        assert first_person not in html, first_person


def test_the_intake_form_still_asks_the_source_in_the_second_person(client):
    html = client.get("/submit/").content.decode()

    assert "Your name" in html and "Your relationship to the victim" in html
    assert "Source’s name" not in html
