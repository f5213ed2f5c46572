"""Staff write a letter in a rich-text editor served by the portal (no HTML to type, nothing from another host,
under the strict CSP); what is saved is the HTML the server sanitised. Without JavaScript the textarea works."""

import pytest
from playwright.sync_api import Page, expect

from communications import services
from communications.models import Communication
from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog
from tests.browser.network import RequestLog
from tests.browser.staff import log_in
from tests.browser.visibility import assert_seen_at_every_width
from tests.support.factories import make_accepted_submission
from tests.support.staff import make_desk_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNICATIONS = "/admin/communications/communication/"


def draft_letter() -> tuple[Communication, object]:
    officer = make_desk_officer("central-asia")
    case = make_accepted_submission(country="TJ")
    communication, _ = services.communication_draft(
        submissions=[case], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en", by=officer
    )
    services.communication_edit(communication=communication, body="<p>Excellency,</p>")
    return communication, officer


def open_letter(page: Page, base: str, communication: Communication, officer) -> None:
    log_in(page, base, officer)
    page.goto(f"{base}{COMMUNICATIONS}{communication.pk}/change/")


def test_staff_type_bold_text_and_a_list_and_the_sanitised_html_is_stored(page, live_server):
    page.set_default_timeout(10_000)
    communication, officer = draft_letter()
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)
    open_letter(page, live_server.url, communication, officer)

    editor = page.get_by_role("textbox", name="Body")
    expect(editor).to_be_visible()
    expect(page.locator("#id_body")).to_be_hidden()  # the textarea is the field; the editor shows it
    expect(editor).to_contain_text("Excellency,")
    toolbar = page.get_by_role("toolbar", name="Formatting of the letter")

    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Bold").click()
    page.keyboard.type("The Special Rapporteur is concerned")
    toolbar.get_by_role("button", name="Bold").click()
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("the detention without charge")
    page.keyboard.press("Enter")
    page.keyboard.type("the denial of a lawyer")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()

    communication.refresh_from_db()
    body = communication.body
    assert "<strong>The Special Rapporteur is concerned</strong>" in body, body
    assert "<ul><li>the detention without charge</li><li>the denial of a lawyer</li></ul>" in body, body
    assert body.startswith("<p>Excellency,</p>"), body
    assert "<b>" not in body and "<div" not in body and "style=" not in body, body
    # Shown again from what was stored.
    expect(page.get_by_role("textbox", name="Body").locator("strong")).to_have_text(
        "The Special Rapporteur is concerned"
    )
    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()


def test_the_editor_s_toolbar_is_usable_at_every_width_and_passes_axe(page, live_server):
    page.set_default_timeout(10_000)
    communication, officer = draft_letter()
    open_letter(page, live_server.url, communication, officer)

    toolbar = page.get_by_role("toolbar", name="Formatting of the letter")
    buttons = ("Bold", "Italic", "Heading", "Paragraph", "Bulleted list", "Numbered list", "Quotation")
    assert_seen_at_every_width(
        page,
        *(toolbar.get_by_role("button", name=name, exact=True) for name in buttons),
        page.get_by_role("textbox", name="Body"),
    )
    assert_no_axe_violations(page)


def test_without_javascript_the_textarea_takes_the_letter(page_no_js: Page, live_server):
    page = page_no_js
    page.set_default_timeout(10_000)
    communication, officer = draft_letter()
    open_letter(page, live_server.url, communication, officer)

    expect(page.get_by_role("toolbar")).to_have_count(0)
    body = page.get_by_label("Body")
    expect(body).to_be_visible()
    body.fill("<p>Excellency,</p><p><b>Concerned</b> <script>alert(1)</script></p>")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()

    communication.refresh_from_db()
    assert communication.body == "<p>Excellency,</p><p>Concerned </p>", communication.body
