"""The intake form and the receipt download under hostile input: never a 500, nothing stored unless accepted.

Hypothesis starts from a complete report (tests.support.intake.report_data) and breaks it: fields dropped,
replaced by hostile text (direction overrides, zero-width characters, NUL, very long values), repeated,
sent by the thousand, or sent as files; with any action of the form's buttons, or one it never sends.
"""

import re

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from submissions.models import Submission
from tests.portal.hostile import hostile_text, rows
from tests.support.intake import report_data

pytestmark = pytest.mark.django_db

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

KEYS = sorted(report_data(defenders=2))
# Fields the form never sends, or sends for defenders that do not exist.
EXTRA_KEYS = ["defender-2-name", "defender-29-kind", "defender--1-name", "defender-0-remote_area", "source-x", "id"]
MANAGEMENT = {"defender-TOTAL_FORMS", "defender-INITIAL_FORMS", "defender-MIN_NUM_FORMS", "defender-MAX_NUM_FORMS"}
ACTIONS = ["review", "submit", "add_defender", "edit", "remove_defender_0", "remove_defender_1", "remove_defender_"]


def _more_than_the_form_allows(value: str) -> bool:
    # A forged count of hundreds of defenders is test_a_forged_defender_count_renders_at_most_thirty_defenders;
    # here it would only make every example slow.
    try:
        return int(value) > 31
    except ValueError:
        return False


def value_for(key: str):
    text = hostile_text
    if key in MANAGEMENT:
        text = st.one_of(st.integers(-2, 31).map(str), hostile_text.filter(lambda v: not _more_than_the_form_allows(v)))
    file_name = hostile_text.map(lambda name: re.sub(r'[\r\n"\\/]', "", name)[:120] or "x")
    return st.one_of(
        st.just(None),  # missing
        text,
        st.lists(text, min_size=2, max_size=4),  # repeated
        st.integers(1001, 1200).map(lambda n: ["x"] * n),  # more fields than Django reads
        st.builds(SimpleUploadedFile, file_name, st.binary(max_size=300)),  # a file where text goes
    )


changes = st.lists(st.sampled_from(KEYS + EXTRA_KEYS), max_size=6, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({key: value_for(key) for key in keys})
)
actions = st.one_of(
    st.sampled_from(ACTIONS), hostile_text.map(lambda text: f"remove_defender_{text}"), hostile_text, st.just(None)
)


def post(data: dict, changed: dict, action) -> tuple:
    data = dict(data)
    for key, value in changed.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    if action is not None:
        data["action"] = action
    client = Client()
    before = rows()
    response = client.post("/submit/", data)
    return response, before, rows()


@FUZZ
@given(defenders=st.integers(1, 2), changed=changes, action=actions)
# Tried on every run: digits that str.isdigit() accepts and int() does not, and more digits than int() reads.
@example(defenders=2, changed={}, action="remove_defender_²")
@example(defenders=2, changed={}, action="remove_defender_" + "9" * 5000)
@example(defenders=1, changed={"incident-description": "\x00", "source-source_name": "\u202e" * 300}, action="submit")
def test_the_intake_form_answers_hostile_input_without_failing_or_storing_a_rejected_report(defenders, changed, action):
    with transaction.atomic():
        cache.clear()
        caches["ratelimit"].clear()  # each example is a first try, not one of many from one client
        response, before, after = post(report_data(defenders=defenders), changed, action)

        assert response.status_code < 500
        html = response.content.decode(errors="replace")
        stored = response.status_code == 200 and 'id="receipt-reference"' in html
        if stored:
            assert after["submissions.submission"] == before["submissions.submission"] + 1
        else:
            assert after == before, "a report that was not accepted left rows behind"
        if response.status_code == 400 and 'name="token"' in html:
            assert 'id="error-summary"' in html  # the person is told what to correct
        transaction.set_rollback(True)


@FUZZ
@given(reference=hostile_text, passphrase=hostile_text, extra=st.dictionaries(hostile_text, hostile_text, max_size=3))
@example(reference="HRD-\x00", passphrase="one two three four five six", extra={})
def test_the_receipt_download_answers_hostile_input_without_failing(reference, passphrase, extra):
    with transaction.atomic():
        cache.clear()
        caches["ratelimit"].clear()  # each example is a first try, not one of many from one client
        before = rows()
        response = Client().post("/receipt/download/", {**extra, "reference": reference, "passphrase": passphrase})

        assert response.status_code == 400
        assert rows() == before
        transaction.set_rollback(True)


@pytest.mark.parametrize("action", ["add_defender", "review"])
def test_a_forged_defender_count_renders_at_most_thirty_defenders(client, action):
    cache.clear()
    data = report_data(**{"defender-TOTAL_FORMS": "100"})

    response = client.post("/submit/", {**data, "action": action})

    assert response.status_code in (200, 400)
    defenders = set(re.findall(r'name="defender-(\d+)-name"', response.content.decode()))
    assert len(defenders) <= 30
    assert Submission.objects.count() == 0
