"""Step one of the intake form in sections: a source moves between them without JavaScript, and
nothing typed is lost on the way, after an error, or between the sections and the review."""

import pytest
from django.core import signing
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submissions import models as m
from submissions.models import Submission
from tests.support.intake import (
    DEFENDER_NAME,
    NARRATIVE,
    SOURCE_NAME,
    page_fields,
    press,
    report_data,
    section_data,
    submit_in_sections,
)

pytestmark = pytest.mark.django_db

SECTIONS = ("source", "defenders", "incident", "consent")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def shown_section(response) -> str:
    return page_fields(response)["section"][0]


def fill_in_order(client, data: dict, *, then: str):
    """Each section filled in with `data`, moving on with the section list (which checks nothing)."""
    page = client.get("/submit/")
    for section, following in zip(SECTIONS, [*SECTIONS[1:], None], strict=True):
        changes = section_data(data, section) | ({"token": data["token"]} if "token" in data else {})
        page = press(client, page, f"goto_{following}" if following else then, **changes)
    return page


def answers_shown(response, expected: dict) -> dict:
    """The page's values of the fields named in `expected`, as lists, choices in any order."""
    fields = page_fields(response)
    return {name: sorted(fields.get(name, [])) for name in expected}


def as_lists(answers: dict) -> dict:
    return {name: sorted(value if isinstance(value, list) else [value]) for name, value in answers.items()}


# --- Any answers, kept through any moves -------------------------------------------------------

# Printable text in any script, with the characters HTML and the signing treat specially.
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from("<>&\"':ё"),
    min_size=1,
    max_size=40,
).filter(lambda value: value.strip() == value and value)


def some(choices) -> st.SearchStrategy:
    return st.lists(st.sampled_from([value for value, _label in choices]), min_size=1, max_size=3, unique=True)


@st.composite
def reports(draw) -> dict:
    answers = {
        "source-source_name": draw(text),
        "source-source_relationship": draw(st.sampled_from(m.SourceRelationship.values)),
        "source-source_relationship_detail": draw(text),
        "source-contact_method": draw(st.sampled_from(m.ContactMethod.values)),
        "source-contact_details": draw(text),
        "source-contact_safety": draw(st.sampled_from(m.ContactSafety.values)),
        "incident-violation_types": draw(some(m.ViolationType.choices)),
        "incident-violation_other": draw(text),
        "incident-current_situation": draw(some(m.CurrentSituation.choices)),
        "incident-country": draw(st.sampled_from(["TJ", "KZ", "RU", "KG"])),
        "incident-place": draw(text),
        "incident-perpetrator_kind": draw(st.sampled_from(m.PerpetratorKind.values)),
        "incident-perpetrators": draw(text),
        "incident-description": draw(text),
        "incident-current_risk": draw(text),
        "incident-steps_taken": draw(text),
        "consent-contact_government": draw(st.sampled_from(["yes", "no"])),
        "consent-public_naming": draw(st.sampled_from(["yes", "no"])),
        "consent-written_consent": draw(st.sampled_from(m.WrittenConsent.values)),
        "consent-good_faith": "on",
        "consent-direct_knowledge": "on",
        "consent-media_only": draw(st.sampled_from(["yes", "no"])),
    }
    defenders = draw(st.integers(min_value=1, max_value=3))
    for index in range(defenders):
        answers |= {
            f"defender-{index}-kind": draw(st.sampled_from(m.DefenderKind.values)),
            f"defender-{index}-name": draw(text),
            f"defender-{index}-country": draw(st.sampled_from(["TJ", "KZ", "UZ"])),
            f"defender-{index}-region": draw(text),
            f"defender-{index}-work_areas": draw(some(m.WorkArea.choices)),
            f"defender-{index}-work_description": draw(text),
        }
    answers["defender-TOTAL_FORMS"] = str(defenders)
    return answers


moves = st.lists(st.sampled_from(["back", "next", *(f"goto_{section}" for section in SECTIONS)]), max_size=8)


@pytest.mark.slow  # 15 walks of up to 8 steps through the form: 14-20 s (the tests by example stay in make quick)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=reports(), walk=moves)
def test_moving_back_and_forth_keeps_every_answer(client, answers, walk):
    page = submit_in_sections(client, answers)
    assert page.status_code == 200, page.content.decode()[:3000]  # the review: every section was valid

    page = press(client, page, "edit")
    for move in walk:
        page = press(client, page, move)
        assert page.status_code == 200

    for section in SECTIONS:
        page = press(client, page, f"goto_{section}")
        assert shown_section(page) == section
        expected = as_lists({k: v for k, v in section_data(answers, section).items() if not k.endswith("_FORMS")})
        assert answers_shown(page, expected) == expected
    assert Submission.objects.count() == 0


# --- Errors on the section they belong to -----------------------------------------------------


def test_an_error_on_the_second_section_is_shown_there_with_the_rest_kept(client):
    data = report_data()
    about_you = press(client, client.get("/submit/"), "next", **section_data(data, "source"))
    assert shown_section(about_you) == "defenders"

    # The defender's name left empty: Next stays on the section, and says what to do.
    defenders = section_data(data, "defenders") | {"defender-0-name": ""}
    response = press(client, about_you, "next", **defenders)

    assert response.status_code == 400
    assert shown_section(response) == "defenders"
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_defender-0-name"' in html
    assert "Name of the person, group or organisation: Fill this in." in html
    assert 'aria-invalid="true"' in html and 'id="id_defender-0-name"' in html
    kept = {k: v for k, v in defenders.items() if not k.endswith("_FORMS")}
    assert answers_shown(response, kept) == as_lists(kept)

    # The first section is as it was typed, and going back there shows no error.
    back = press(client, response, "back")
    assert shown_section(back) == "source"
    assert "error-summary" not in back.content.decode()
    assert answers_shown(back, section_data(data, "source")) == as_lists(section_data(data, "source"))

    # Corrected, the report goes on.
    fixed = press(client, press(client, back, "next"), "next", **{"defender-0-name": DEFENDER_NAME})
    assert fixed.status_code == 200
    assert shown_section(fixed) == "incident"


def test_asking_for_the_review_shows_each_section_with_its_own_errors(client):
    data = report_data(**{"defender-0-name": "", "consent-public_naming": ""})

    # Missing answers in two sections, the review asked for from the last.
    response = fill_in_order(client, data, then="review")

    assert response.status_code == 400
    assert shown_section(response) == "consent"  # the section on screen has an error: it stays
    html = response.content.decode()
    assert 'href="#id_consent-public_naming_0"' in html
    assert "to correct" in html  # the section list marks the defenders

    defenders = press(client, response, "goto_defenders")
    assert 'href="#id_defender-0-name"' in defenders.content.decode()
    incident = press(client, response, "goto_incident")
    assert "error-summary" not in incident.content.decode()
    assert NARRATIVE in incident.content.decode()


# --- The whole way, and the protections of the final post ---------------------------------------


def test_a_report_filled_in_section_by_section_is_stored_once(client):
    data = report_data(defenders=2)
    review = submit_in_sections(client, data)
    assert review.status_code == 200
    assert "Check your report" in review.content.decode()

    receipt = press(client, review, "submit")
    again = press(client, review, "submit")

    assert receipt.status_code == 200
    assert again.status_code == 409
    submission = Submission.objects.get()
    assert submission.source_name == SOURCE_NAME
    assert submission.description == NARRATIVE
    assert submission.defenders.count() == 2


def test_a_form_sent_too_fast_through_the_sections_is_refused(client, settings):
    settings.FORM_MIN_FILL_SECONDS = 5
    data = report_data()
    del data["token"]  # a new form: its token has not waited the minimum fill time
    review = fill_in_order(client, data, then="review")
    assert review.status_code == 200

    response = press(client, review, "submit")

    assert response.status_code == 400
    assert 'id="form-notice"' in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_draft_the_portal_did_not_sign_carries_nothing(client):
    data = report_data()
    forged = signing.dumps({"source": {"source_name": "Forged"}}, salt="another", compress=True)

    response = client.post(
        "/submit/", {"token": data["token"], "section": "consent", "draft": forged, "action": "goto_source"}
    )

    assert response.status_code == 200
    assert "Forged" not in response.content.decode()
    assert Submission.objects.count() == 0
