"""The intake form's sections in Chromium: a source on Tor Browser with JavaScript off goes through every
section, back and forth, and sends the report; each section's buttons are on the screen at 1024, 1280 and
1920 px; every section passes axe-core in English and in Russian. Screenshots are kept as artefacts."""

from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from submissions.models import Submission
from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog
from tests.browser.network import RequestLog
from tests.browser.test_intake import (
    ADD_DEFENDER,
    CONTINUE,
    NEXT,
    SECTION_BUTTONS,
    assert_every_section_shows,
    assert_form_shows,
    fill_about_you,
    fill_by_name,
    fill_consent,
    fill_defender,
    fill_what_happened,
    of_section,
    press,
    the_case,
)
from tests.browser.visibility import WIDTHS, assert_seen_at_every_width
from tests.support.intake import DEFENDER_NAME, NARRATIVE, SECOND_DEFENDER_NAME, SOURCE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / ".data" / "test-artefacts" / "intake-sections"
SECTIONS = list(SECTION_BUTTONS)
RUSSIAN = {"next": "Далее", "back": "Назад", "continue": "Перейти к вложениям и проверке"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def section_on_screen(page: Page) -> str:
    return page.locator('input[name="section"]').input_value()


def test_without_javascript_a_report_goes_through_every_section_and_back(page_no_js, live_server):
    page = page_no_js
    page.set_default_timeout(10_000)
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)
    page.goto(live_server.url + "/submit/")
    assert page.evaluate("() => matchMedia('(scripting: none)').matches")

    fill_about_you(page)
    press(page, NEXT)
    assert section_on_screen(page) == "defenders"
    fill_defender(page, 1, DEFENDER_NAME, remote=True)
    press(page, ADD_DEFENDER)
    fill_defender(page, 2, SECOND_DEFENDER_NAME)
    # Back before going on: the first section is as typed, and so is the second when we return.
    press(page, "Back")
    assert_form_shows(page, of_section(the_case(defenders=2), "source"))
    press(page, NEXT)
    assert_form_shows(page, of_section(the_case(defenders=2), "defenders"))
    press(page, NEXT)
    fill_what_happened(page)
    # Jump ahead with the list of sections, then back to a section already filled in.
    press(page, SECTION_BUTTONS["consent"])
    fill_consent(page)
    press(page, SECTION_BUTTONS["incident"])
    assert_form_shows(page, of_section(the_case(), "incident"))
    press(page, SECTION_BUTTONS["consent"])
    assert_every_section_shows(page, the_case(defenders=2))  # ends on the last section

    press(page, CONTINUE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Attachments and review")
    shown = page.get_by_role("region", name="Check your report").inner_text()
    assert SOURCE_NAME in shown and SECOND_DEFENDER_NAME in shown and NARRATIVE in shown

    # A section changed from the review, and back to the review.
    press(page, "Change “What happened”")
    assert section_on_screen(page) == "incident"
    page.get_by_label("Place").fill("Dushanbe, pre-trial detention centre 1")
    press(page, SECTION_BUTTONS["consent"])
    press(page, CONTINUE)
    assert "Dushanbe, pre-trial detention centre 1" in page.get_by_role("region", name="Check your report").inner_text()

    response = press(page, "Send the report")

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been received")
    submission = Submission.objects.get()
    assert submission.source_name == SOURCE_NAME
    assert submission.place == "Dushanbe, pre-trial detention centre 1"
    assert [defender.name for defender in submission.defenders.all()] == [DEFENDER_NAME, SECOND_DEFENDER_NAME]
    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()


def test_each_section_s_buttons_are_usable_at_every_width(page, live_server):
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/submit/")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    for section in SECTIONS:
        if section != "source":
            press(page, SECTION_BUTTONS[section])
        buttons = [page.get_by_role("button", name=NEXT if section != "consent" else CONTINUE, exact=True)]
        if section != "source":
            buttons.append(page.get_by_role("button", name="Back", exact=True))
        buttons += [
            page.get_by_role("button", name=name, exact=True)
            for other, name in SECTION_BUTTONS.items()
            if other != section
        ]
        if section == "defenders":
            buttons.append(page.get_by_role("button", name=ADD_DEFENDER, exact=True))
        assert_seen_at_every_width(page, *buttons)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=ARTEFACTS / f"{section}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_section_passes_axe_empty_and_in_error(any_page, live_server, language):
    page = any_page
    prefix = "/ru" if language == "ru" else ""
    page.goto(live_server.url + prefix + "/submit/")
    buttons = page.locator("nav.report-sections button")

    for number, section in enumerate(SECTIONS, start=1):
        if section != "source":
            press(page, buttons.filter(has_text=f"{number}. ").inner_text().strip())
        assert section_on_screen(page) == section
        assert_no_axe_violations(page)

    # The review asked for with one answer missing: the section with the error, and the review once corrected.
    case = the_case() | {"incident-description": ""}
    continue_button = RUSSIAN["continue"] if language == "ru" else CONTINUE
    for number, section in enumerate(SECTIONS, start=1):
        if section_on_screen(page) != section:
            press(page, buttons.filter(has_text=f"{number}. ").inner_text().strip())
        fill_by_name(page, of_section(case, section))
    press(page, continue_button)
    assert section_on_screen(page) == "incident"
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.locator('[name="incident-description"]').fill(NARRATIVE)
    press(page, RUSSIAN["next"] if language == "ru" else NEXT)
    press(page, continue_button)
    expect(page.locator('input[type="file"]')).to_be_attached()
    assert_no_axe_violations(page)
