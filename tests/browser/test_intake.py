"""A person reports a case through the intake form in Chromium, with JavaScript on and off.

The form is filled in as a person does it: by the visible labels, clicking
labels, choosing from lists, typing and pressing keys. What the form keeps is
then checked field by field against report_data(), the same case as POST data.
"""

import re

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Page, Response, expect

from submissions.models import Submission
from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog, assert_strict_csp
from tests.browser.network import RequestLog
from tests.support.intake import (
    CONFIDENTIAL_PEOPLE,
    CONFIDENTIAL_TYPED,
    CONTACT,
    DEFENDER_NAME,
    NARRATIVE,
    PLACE,
    SECOND_DEFENDER_NAME,
    SOURCE_NAME,
    report_data,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"^HRD-[0-9A-Z]{5}-[0-9A-Z]{5}$")
PASSPHRASE = re.compile(r"^[a-z-]+( [a-z-]+){5}$")
CONTINUE = "Continue to attachments and review"
NEXT = "Next"
SECTION_BUTTONS = {
    "source": "1. About you",
    "defenders": "2. The defenders concerned",
    "incident": "3. What happened",
    "consent": "4. Consent and confirmation",
}
PREFIXES = {"source": "source-", "defenders": "defender-", "incident": "incident-", "consent": "consent-"}
ADD_DEFENDER = "Add another person, group or organisation"
# A field no person sees or fills in, and the hidden bookkeeping of the form.
NOT_TYPED = {"token", "consent-website"}


def typed(data: dict):
    """The answers in POST data a person gives: not the form's own hidden fields."""
    return [(name, value) for name, value in data.items() if name not in NOT_TYPED and not name.endswith("_FORMS")]


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate limits live in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def the_case(*, defenders: int = 1) -> dict:
    """What the person below types, as the form posts it."""
    return report_data(defenders=defenders, **{"defender-0-remote_area": "on"})


# --- Filling in the form, as a person does --------------------------------


def fill_about_you(page: Page) -> None:
    about = page.get_by_role("group", name="About you (always confidential)")
    name = about.get_by_label("Your name")
    name.click()
    page.keyboard.type(SOURCE_NAME)
    # Clicking the words of a choice chooses it.
    about.get_by_text("Family member of the victim", exact=True).click()
    about.get_by_label("Your relationship to the victim").fill("Sister")
    about.get_by_role("group", name="How can we contact you safely?").get_by_label("Signal", exact=True).check()
    about.get_by_label("Contact details").fill(CONTACT)
    about.get_by_role("group", name="Is it safe for us to contact you?").get_by_label(
        "Only with care (see my details)"
    ).check()


def fill_defender(page: Page, number: int, name: str, *, remote: bool = False) -> None:
    defender = page.get_by_role("group", name=f"Defender {number}", exact=True)
    defender.get_by_role("group", name="Who is concerned?").get_by_label("A person").check()
    defender.get_by_label("Name of the person, group or organisation").fill(name)
    defender.get_by_label("Gender").select_option(label="Woman")
    defender.get_by_label(re.compile(r"\bAge\b")).select_option(label="18 to 64")
    defender.get_by_label("Does the person live with a disability?").select_option(label="No")
    defender.get_by_label("Country where they live or work").select_option(label="Tajikistan")
    defender.get_by_label("Region or town").fill("GBAO")
    if remote:
        # Tab from the town to the box, and tick it with the space bar.
        page.keyboard.press("Tab")
        expect(defender.get_by_label("They live or work in a remote or isolated area")).to_be_focused()
        page.keyboard.press("Space")
    work = defender.get_by_role("group", name="Areas of their human rights work")
    work.get_by_label("Journalism, media, freedom of expression").check()
    work.get_by_label("Minority rights, religion or belief").check()
    defender.get_by_label("Their human rights work").fill("Reports on the rights of the Pamiri minority")
    defender.get_by_label("Have they cooperated with the United Nations?").select_option(label="Yes")


def fill_what_happened(page: Page, *, description: str = NARRATIVE) -> None:
    incident = page.get_by_role("group", name="What happened", exact=True)
    done = incident.get_by_role("group", name="What was done?")
    done.get_by_label("Arbitrary arrest or detention").check()
    done.get_by_label("Torture or ill-treatment").check()
    incident.get_by_role("group", name="Is any of this happening now?").get_by_label("Is detained now").check()
    incident.get_by_label("Date it happened, or started").fill("2026-11-20")
    incident.get_by_label("Country where it happened").select_option(label="Tajikistan")
    incident.get_by_label("Place").fill(PLACE)
    incident.get_by_role("group", name="Who is responsible?").get_by_label("State (police").check()
    incident.get_by_label("Alleged perpetrators").fill("Regional department of the interior ministry")
    incident.get_by_label("What happened").fill(description)
    incident.get_by_label("What is the risk now?").fill("Held incommunicado, denied a lawyer")
    incident.get_by_label("Steps already taken").fill("Complaint to the prosecutor")
    incident.get_by_label("People who must never be named (optional)").fill(CONFIDENTIAL_TYPED)


def fill_consent(page: Page) -> None:
    consent = page.get_by_role("group", name="Consent and confirmation")
    consent.get_by_role("group", name="sends a letter naming them").get_by_label("Yes").check()
    consent.get_by_role("group", name="their name appears in the public report").get_by_label("No").check()
    written = consent.get_by_role("group", name="confirm that the victim has given their consent in writing")
    written.get_by_text("The victim has given written consent").click()
    consent.get_by_label("I act in good faith").check()
    consent.get_by_label("I know the facts directly").check()
    consent.get_by_role("group", name="Is your information based only on media reports?").get_by_label(
        "No, I or people I trust know the facts"
    ).check()


def fill_report(page: Page, *, description: str = NARRATIVE, second_defender: bool = False) -> None:
    """Every section in turn, moving on with Next; the page is left on the last section."""
    fill_about_you(page)
    press(page, NEXT)
    fill_defender(page, 1, DEFENDER_NAME, remote=True)
    if second_defender:
        # A group of lawyers: a second defender, added without any script.
        press(page, ADD_DEFENDER)
        expect(page.get_by_role("group", name="Defender 2", exact=True)).to_be_visible()
        fill_defender(page, 2, SECOND_DEFENDER_NAME)
    press(page, NEXT)
    fill_what_happened(page, description=description)
    # Next checks the section: with the description left out, move on with the list of sections.
    press(page, NEXT if description else SECTION_BUTTONS["consent"])
    fill_consent(page)


def go_to(page: Page, section: str) -> Response:
    """Move to a section with the list of sections (its button may add "(to correct)")."""
    return press(page, re.compile("^" + re.escape(SECTION_BUTTONS[section])))


def of_section(data: dict, section: str) -> dict:
    return {name: value for name, value in data.items() if name.startswith(PREFIXES[section]) or name == "token"}


def press(page: Page, button: str | re.Pattern) -> Response:
    """Press a button of the form, and return the answer to the POST it sends."""
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    response = posted.value
    assert response.status != 403, (
        f"the portal refused the form the browser sent ({button!r}): " + page.locator("body").inner_text()[:300]
    )
    return response


# --- What the form shows --------------------------------------------------


# Every control of each name, in document order: its type attribute, value and whether it is ticked.
READ_CONTROLS = """(names) => Object.fromEntries(names.map((name) => [
  name,
  Array.from(document.getElementsByName(name), (control) => ({
    type: control.getAttribute("type"),
    tag: control.tagName,
    value: control.value,
    checked: control.checked === true,
  })),
]))"""


def read_controls(page: Page, names: list[str]) -> dict[str, list[dict]]:
    """The form's controls by name, read at once, so that a failing check names every answer the form lost."""
    return page.evaluate(READ_CONTROLS, names)


def assert_form_shows(page: Page, data: dict) -> None:
    """Every answer in `data` (POST names and values) is what the form shows now."""
    answers = typed(data)
    shown = read_controls(page, [name for name, _ in answers])
    differences = []
    for name, value in answers:
        controls = shown[name]
        if not controls:
            differences.append(f"{name}: no such control")
        elif controls[0]["type"] in ("radio", "checkbox") and (isinstance(value, list) or len(controls) > 1):
            chosen = value if isinstance(value, list) else [value]
            expected = [control["value"] for control in controls if control["value"] in chosen]
            ticked = [control["value"] for control in controls if control["checked"]]
            if ticked != expected:
                differences.append(f"{name}: {ticked} chosen, {expected} expected")
        elif controls[0]["type"] == "checkbox":
            if controls[0]["checked"] != (value == "on"):
                differences.append(f"{name}: ticked {controls[0]['checked']}, {value!r} expected")
        elif [control["value"] for control in controls] != [value]:
            differences.append(f"{name}: shows {[control['value'] for control in controls]}, {value!r} typed")
    assert not differences, "the form does not keep what was typed:\n" + "\n".join(differences)


def assert_every_section_shows(page: Page, data: dict) -> None:
    """Each section, reached with the list of sections, shows its answers in `data`."""
    for section in SECTION_BUTTONS:
        if page.locator(f'input[name="section"][value="{section}"]').count() == 0:
            go_to(page, section)
        assert_form_shows(page, of_section(data, section))


def assert_private(response: Response) -> None:
    """Neither kept in a cache nor announced to another site."""
    assert "no-store" in response.headers["cache-control"].split(", "), response.headers["cache-control"]
    assert response.headers["referrer-policy"] == "no-referrer"


def review_text(page: Page) -> str:
    return page.get_by_role("region", name="Check your report").inner_text()


# --- The journeys ---------------------------------------------------------


def test_a_form_posted_by_the_browser_passes_the_csrf_check(any_page, live_server):
    """Chromium sends `Origin: null` with a form it posts from a page whose referrer
    policy is no-referrer; the CSRF check must still let the person's own form through."""
    page = any_page
    page.goto(live_server.url + "/submit/")

    response = press(page, NEXT)

    assert response.status == 400  # the empty section's validation errors, not a CSRF refusal
    expect(page.locator("#error-summary")).to_be_visible()


def test_a_person_reports_a_complete_case_and_gets_a_receipt(any_page, live_server, tmp_path):
    page = any_page
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)

    response = page.goto(live_server.url + "/submit/")
    assert response.status == 200
    assert_strict_csp(response)
    assert_private(response)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a violation against a human rights defender")
    assert_no_axe_violations(page)

    fill_report(page, second_defender=True)
    press(page, CONTINUE)

    # The review: every answer shown, nothing stored yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Attachments and review")
    shown = review_text(page)
    for answer in [
        SOURCE_NAME,
        "Family member of the victim",
        CONTACT,
        DEFENDER_NAME,
        SECOND_DEFENDER_NAME,
        "Journalism, media, freedom of expression, Minority rights, religion or belief",
        "Arbitrary arrest or detention, Torture or ill-treatment",
        "Tajikistan",
        PLACE,
        NARRATIVE,
        "Held incommunicado, denied a lawyer",
        "The victim has given written consent",
    ]:
        assert answer in shown, f"the review does not show {answer!r}"
    assert Submission.objects.count() == 0
    assert_no_axe_violations(page)

    photo = tmp_path / "summons.png"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(photo)
    page.get_by_label("Documents, photos, audio or video (optional)").set_input_files(photo)
    receipt_response = press(page, "Send the report")
    assert receipt_response.status == 200
    assert_private(receipt_response)

    expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been received")
    reference = page.locator("#receipt-reference").inner_text().strip()
    passphrase = page.locator("#receipt-passphrase").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert PASSPHRASE.match(passphrase), passphrase
    expect(page.get_by_role("button", name="Download the receipt (text file)")).to_be_visible()
    assert_no_axe_violations(page)

    submission = Submission.objects.get()
    assert submission.reference == reference
    assert submission.source_name == SOURCE_NAME
    assert submission.contact_details == CONTACT
    assert submission.description == NARRATIVE
    assert submission.place == PLACE
    # One name per line, through the review step's hidden fields.
    assert submission.confidential_names == CONFIDENTIAL_PEOPLE
    assert sorted(submission.violation_types) == ["arbitrary_detention", "torture"]
    defenders = list(submission.defenders.all())
    assert [defender.name for defender in defenders] == [DEFENDER_NAME, SECOND_DEFENDER_NAME]
    assert [defender.remote_area for defender in defenders] == [True, False]
    attachment = submission.attachments.get()
    assert attachment.name == "summons.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == photo.stat().st_size
    consent = submission.current_consent()
    assert (consent.contact_government, consent.public_naming, consent.written_consent) == (True, False, "written")

    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()


def test_defenders_are_added_and_removed_without_losing_an_answer(any_page, live_server):
    page = any_page
    page.goto(live_server.url + "/submit/")
    fill_report(page, second_defender=True)
    go_to(page, "defenders")

    press(page, ADD_DEFENDER)
    expect(page.locator("fieldset.defender")).to_have_count(3)
    page.get_by_role("group", name="Defender 3", exact=True).get_by_label(
        "Name of the person, group or organisation"
    ).fill("Someone added by mistake")

    press(page, "Remove defender 3")

    expect(page.locator("fieldset.defender")).to_have_count(2)
    expect(page.get_by_text("Someone added by mistake")).to_have_count(0)
    assert_every_section_shows(page, the_case(defenders=2))
    go_to(page, "defenders")

    # Removing the first one moves the second up, with all its answers.
    press(page, "Remove defender 1")

    expect(page.locator("fieldset.defender")).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("^Remove defender"))).to_have_count(0)
    second_only = the_case()
    second_only["defender-0-name"] = SECOND_DEFENDER_NAME
    second_only["defender-0-remote_area"] = ""
    assert_every_section_shows(page, second_only)
    assert Submission.objects.count() == 0


def test_a_missing_description_is_summarised_linked_and_nothing_typed_is_lost(any_page, live_server):
    page = any_page
    csp_violations = CspViolationLog(page)
    page.goto(live_server.url + "/submit/")
    fill_report(page, description="")

    response = press(page, CONTINUE)

    assert response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a violation against a human rights defender")
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("There is a problem with 1 answer")
    # The summary comes before the form, at the top of the page.
    assert summary.evaluate("(summary) => !!(summary.compareDocumentPosition(document.forms[0]) & 4)")
    description = page.locator('[name="incident-description"]')
    link = summary.get_by_role("link", name="What happened: Fill this in.")
    expect(link).to_have_attribute("href", "#" + description.get_attribute("id"))

    # The error is also next to the field, and tied to it.
    field = page.locator("#div_id_incident-description")
    expect(field).to_contain_text("This field is required.")
    expect(description).to_have_attribute("aria-invalid", "true")
    # Shown on its own section, the first with a problem; every other answer is kept.
    expect(page.locator('input[name="section"]')).to_have_value("incident")
    assert_form_shows(page, of_section(the_case() | {"incident-description": ""}, "incident"))
    assert_no_axe_violations(page)

    link.click()

    expect(description).to_be_focused()

    # Corrected, the same form goes on to the review, with nothing lost on the way.
    description.fill(NARRATIVE)
    press(page, NEXT)
    press(page, CONTINUE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Attachments and review")
    assert NARRATIVE in review_text(page)
    assert Submission.objects.count() == 0
    csp_violations.assert_none()


def test_changing_the_answers_from_the_review_keeps_everything(any_page, live_server):
    page = any_page
    page.goto(live_server.url + "/submit/")
    fill_report(page, second_defender=True)
    press(page, CONTINUE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Attachments and review")

    press(page, "Change your answers")

    expect(page.get_by_role("heading", level=1)).to_have_text("Report a violation against a human rights defender")
    expect(page.locator("#error-summary")).to_have_count(0)
    assert_every_section_shows(page, the_case(defenders=2))

    # And forward again: the same answers are reviewed.
    press(page, CONTINUE)
    shown = review_text(page)
    assert SOURCE_NAME in shown and SECOND_DEFENDER_NAME in shown and NARRATIVE in shown
    assert Submission.objects.count() == 0


def test_an_empty_form_sent_as_is_shows_every_error_accessibly(any_page, live_server):
    page = any_page
    page.goto(live_server.url + "/submit/")
    go_to(page, "consent")

    press(page, CONTINUE)

    # Each section shows its own errors, linked to fields on that page.
    linked = 0
    for section in SECTION_BUTTONS:
        if page.locator(f'input[name="section"][value="{section}"]').count() == 0:
            go_to(page, section)
        summary = page.locator("#error-summary")
        expect(summary).to_be_visible()
        links = summary.get_by_role("link")
        linked += links.count()
        for index in range(links.count()):
            target = links.nth(index).get_attribute("href")
            expect(page.locator(target), f"{target} is linked from the summary").to_have_count(1)
        assert_no_axe_violations(page)
    assert linked >= 10


# --- In Russian -----------------------------------------------------------


def fill_by_name(page: Page, data: dict) -> None:
    """Fill in the form from POST data, by the names of its fields (any language)."""
    answers = typed(data)
    shown = read_controls(page, [name for name, _ in answers])
    for name, value in answers:
        controls, first = page.locator(f'[name="{name}"]'), shown[name][0]
        if first["type"] in ("radio", "checkbox") and (isinstance(value, list) or len(shown[name]) > 1):
            for choice in value if isinstance(value, list) else [value]:
                page.locator(f'[name="{name}"][value="{choice}"]').check()
        elif first["type"] == "checkbox":
            controls.set_checked(value == "on")
        elif first["tag"] == "SELECT":
            controls.select_option(value)
        else:
            controls.fill(value)


def test_the_russian_form_is_in_russian_and_accessible_empty_and_in_error(any_page, live_server):
    page = any_page
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)

    response = page.goto(live_server.url + "/ru/submit/")

    assert response.status == 200
    assert_private(response)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Сообщить о нарушении в отношении правозащитника")
    assert_no_axe_violations(page)

    case = the_case() | {"incident-description": ""}
    for section in SECTION_BUTTONS:
        fill_by_name(page, of_section(case, section))
        if section != "consent":
            # Going on from "What happened" with its description left empty: the section list moves on unchecked.
            press(page, "Далее" if section != "incident" else "4. Согласие и подтверждение")
    press(page, "Перейти к вложениям и проверке")

    expect(page).to_have_url(live_server.url + "/ru/submit/")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_contain_text("Что произошло")
    expect(page.locator("#div_id_incident-description .invalid-feedback")).to_be_visible()
    assert_form_shows(page, of_section(case, "incident"))
    assert_no_axe_violations(page)
    press(page, "1. О вас")
    assert_form_shows(page, of_section(case, "source"))
    assert_no_axe_violations(page)

    # Everything left empty: every error, in Russian, still accessible.
    page.goto(live_server.url + "/ru/submit/")
    press(page, "Далее")
    expect(summary).to_be_visible()
    assert "This field is required" not in summary.inner_text()
    assert_no_axe_violations(page)

    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()
