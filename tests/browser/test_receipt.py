"""A source comes back with the receipt, in Chromium, with JavaScript on and off.

The case is sent through the Django test client (tests.support.intake), which
commits it to the database the live server reads; everything after that is
done in the browser, as the source does it.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from submissions import services
from submissions.models import Message, Submission
from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog, assert_strict_csp
from tests.browser.network import RequestLog
from tests.browser.receipts import assert_private, log_in, press
from tests.browser.visibility import assert_usable_at_every_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_limits")]

QUESTION = "When did the first summons arrive, and who signed it?"
ANSWER = "On 3 October, by phone; the investigator Rahimov signed the written one."


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("officer.karimov", password="x" * 16, is_staff=True)


def consent_history(page: Page):
    return page.get_by_role("table", name="Every statement of consent, oldest first").locator("tbody tr")


def test_the_source_follows_up_with_the_receipt(any_page, live_server, receipt, officer):
    page = any_page
    reference, passphrase = receipt
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)

    response = page.goto(live_server.url + "/receipt/")
    assert response.status == 200
    assert_strict_csp(response)
    assert_private(response)
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow up your report")
    assert_no_axe_violations(page)

    # A wrong passphrase: refused, with a message, accessibly.
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Secret passphrase").fill("correct horse battery staple wrong words")
    response = press(page, "Open my report")
    assert response.status == 400
    assert_private(response)
    expect(page.locator("#error-summary")).to_have_text(
        "The reference or the passphrase is not right. Check both and try again."
    )
    expect(page.get_by_label("Reference")).to_have_value(reference)
    assert_no_axe_violations(page)

    # The right one, typed as a person might: the reference in small letters.
    page.get_by_label("Reference").fill(reference.lower())
    page.get_by_label("Secret passphrase").click()
    page.keyboard.type(passphrase)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/receipt/case/")

    response = page.goto(live_server.url + "/receipt/case/")
    assert response.status == 200
    assert_private(response)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your report {reference}")
    status = page.get_by_role("region", name="Status")
    # A Celery worker left running by an earlier test may have screened it already.
    expect(status).to_have_text(re.compile(r"Status\s+(Received|Under review)"))
    expect(page.get_by_text("No messages yet.")).to_be_visible()
    expect(consent_history(page)).to_have_count(1)
    assert_no_axe_violations(page)

    # The office asks a question; it waits in the inbox.
    submission = Submission.objects.get(reference=reference)
    services.submission_request_information(submission=submission, by=officer, question=QUESTION)
    page.reload()
    expect(status).to_contain_text("More information requested")
    inbox = page.get_by_role("region", name="Messages")
    expect(inbox.get_by_role("listitem")).to_have_count(1)
    expect(inbox.get_by_role("listitem")).to_contain_text("From the office")
    expect(inbox.get_by_role("listitem")).to_contain_text(QUESTION)
    expect(page.get_by_text("officer.karimov")).to_have_count(0)

    # The source answers.
    inbox.get_by_label("Your message or new information").fill(ANSWER)
    response = press(page, "Send")
    assert response.status == 302
    expect(page).to_have_url(live_server.url + "/receipt/case/")
    expect(inbox.get_by_role("listitem")).to_have_count(2)
    expect(inbox.get_by_role("listitem").last).to_contain_text("From you")
    expect(inbox.get_by_role("listitem").last).to_contain_text(ANSWER)
    answer = Message.objects.get(submission=submission, direction=Message.Direction.FROM_SOURCE)
    assert answer.body == ANSWER
    assert answer.reply_to.body == QUESTION
    assert_no_axe_violations(page)

    # Consent: the victim now agrees to be named in public...
    consent = page.get_by_role("region", name="Consent")
    change = consent.get_by_role("group", name="Change consent")
    public = change.get_by_role("group", name="their name appears in the public report")
    expect(public.get_by_label("No")).to_be_checked()
    public.get_by_text("Yes", exact=True).click()
    press(page, "Save the consent")
    expect(consent_history(page)).to_have_count(2)
    expect(consent_history(page).last).to_contain_text("Yes")

    # ...and then withdraws all of it, after a page that asks once more (visible, with a way back).
    press(page, "Withdraw all consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw all consent?")
    assert_usable_at_every_width(
        page,
        page.get_by_role("link", name="No, keep the consent as it is"),
        page.get_by_role("button", name="Yes, withdraw all consent"),
    )
    assert_no_axe_violations(page)
    press(page, "Yes, withdraw all consent")
    expect(consent_history(page)).to_have_count(3)
    expect(consent_history(page).last).to_contain_text("(withdrawn)")
    expect(consent.get_by_text("Consent has been withdrawn.")).to_be_visible()
    history = [
        (record.contact_government, record.public_naming, record.withdrawn, record.via)
        for record in submission.consents.order_by("recorded_at", "id")
    ]
    assert history == [(True, False, False, "intake"), (True, True, False, "receipt"), (False, False, True, "receipt")]
    assert_no_axe_violations(page)

    # Logging out ends it: the case is no longer open in this browser.
    press(page, "Log out")
    expect(page).to_have_url(live_server.url + "/receipt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow up your report")
    page.goto(live_server.url + "/receipt/case/")
    expect(page).to_have_url(live_server.url + "/receipt/")

    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()


def test_the_russian_receipt_pages_are_in_russian_and_accessible(any_page, live_server, receipt, officer):
    page = any_page
    reference, passphrase = receipt
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)
    services.submission_request_information(
        submission=Submission.objects.get(reference=reference), by=officer, question=QUESTION
    )

    response = page.goto(live_server.url + "/ru/receipt/")
    assert response.status == 200
    assert_private(response)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вернуться к вашему обращению")
    assert_no_axe_violations(page)

    response = log_in(page, reference, "неверная кодовая фраза", button="Открыть моё обращение")
    assert response.status == 400
    expect(page.locator("#error-summary")).to_contain_text("Номер обращения или кодовая фраза указаны неверно.")
    assert_no_axe_violations(page)

    response = log_in(page, reference, passphrase, button="Открыть моё обращение")
    assert response.status == 302
    expect(page).to_have_url(live_server.url + "/ru/receipt/case/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ваше обращение {reference}")
    expect(page.get_by_text("Запрошена дополнительная информация")).to_be_visible()
    expect(page.get_by_text(QUESTION)).to_be_visible()
    assert_no_axe_violations(page)

    press(page, "Отозвать согласие полностью")
    press(page, "Да, отозвать всё согласие")
    expect(page.get_by_text("Согласие отозвано.")).to_be_visible()
    assert_no_axe_violations(page)

    press(page, "Выйти")
    expect(page).to_have_url(live_server.url + "/ru/receipt/")

    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()
