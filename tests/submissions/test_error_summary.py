"""The intake form's error summary speaks the source's language in plain words: what to do, with no
framework wording ("This field is required.", "Please submit at least 1 form.") and no "?: " runs."""

import re

import pytest

from tests.support.intake import press, report_data

pytestmark = pytest.mark.django_db


def summary(response) -> str:
    html = response.content.decode()
    return re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S).group(0)


def test_a_consent_question_left_unanswered_reads_as_the_question_then_what_to_do(client):
    response = client.post("/submit/", {**report_data(**{"consent-public_naming": ""}), "action": "review"})
    text = summary(response)
    assert "online database of communications? If not, we use initials or “[name withheld]”. Choose an answer." in text
    assert ".:" not in text and "?:" not in text
    assert "This field is required" not in text


def test_an_empty_text_field_asks_to_fill_it_in(client):
    text = summary(client.post("/submit/", {**report_data(**{"incident-description": ""}), "action": "review"}))
    assert "What happened: Fill this in." in text


def test_no_defender_asks_for_one_in_plain_words(client):
    data = {**report_data(), "defender-TOTAL_FORMS": "0"}
    text = summary(client.post("/submit/", {**data, "action": "review"}))
    assert "Tell us about at least one defender." in text
    assert "Please submit" not in text


def test_the_summary_is_in_russian_on_russian_pages(client):
    text = summary(client.post("/ru/submit/", {**report_data(**{"incident-description": ""}), "action": "review"}))
    assert "Заполните это поле." in text
    assert "Обязательное поле" not in text


def test_the_consent_question_is_the_label_in_full(client):
    html = press(client, client.get("/submit/"), "goto_consent").content.decode()
    label = re.search(r"<legend[^>]*>\s*(Does the victim agree that the Special Rapporteur sends[^<]*)<", html)
    assert label, "the question is the group's legend"
