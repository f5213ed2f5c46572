"""A source changes, with the receipt, the list of people who must never be named: in Chromium, with JavaScript
on and off, at 1024, 1280 and 1920 px, axe-core clean."""

import re

import pytest
from playwright.sync_api import expect

from submissions.models import NeverNamedChange, Submission
from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog
from tests.browser.network import RequestLog
from tests.browser.receipts import assert_private, log_in, press
from tests.browser.visibility import assert_seen_at_every_width, assert_usable_at_every_width
from tests.support.intake import CONFIDENTIAL_PEOPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_limits")]
ADDED = "2 names were added to the list. From now on, no letter about your report may name them."


def test_the_source_adds_and_removes_people_never_to_be_named(any_page, live_server, receipt):
    page = any_page
    reference, passphrase = receipt
    requests = RequestLog(page)
    csp_violations = CspViolationLog(page)
    page.goto(live_server.url + "/receipt/")
    log_in(page, reference, passphrase)
    expect(page).to_have_url(live_server.url + "/receipt/case/")

    # From the case page, where the list is counted.
    section = page.get_by_role("region", name="People who must never be named")
    expect(section).to_contain_text("2 people are on your list of people who must never be named.")
    link = section.get_by_role("link", name="See or change the list")
    assert_seen_at_every_width(page, link)
    link.click()
    expect(page).to_have_url(live_server.url + "/receipt/never-name/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People who must never be named")
    names = page.get_by_role("region", name="On the list now").get_by_role("listitem")
    expect(names).to_have_count(2)
    assert_no_axe_violations(page)

    # An addition past the limit is refused, with what was typed kept.
    field = page.get_by_label("Add people who must never be named")
    too_many = "\n".join(f"Person Number{index}" for index in range(30))
    field.fill(too_many)
    response = press(page, "Add to the list")
    assert response.status == 400
    assert_private(response)
    expect(page.locator("#error-summary")).to_contain_text("List at most 30 people, one per line.")
    expect(field).to_have_value(too_many)
    assert_no_axe_violations(page)

    # Two names, typed loosely: each once, spaces collapsed.
    field.fill("Rustam   Brotherov\n\nРустам Братов\nRustam Brotherov")
    add = page.get_by_role("button", name="Add to the list")
    assert_usable_at_every_width(page, add)
    response = press(page, "Add to the list")
    assert response.status == 302
    expect(page).to_have_url(live_server.url + "/receipt/never-name/")
    notice = page.get_by_role("status")
    expect(notice).to_have_text(ADDED)
    assert_seen_at_every_width(page, notice)
    expect(names).to_have_count(4)
    expect(names.nth(2)).to_contain_text("Rustam Brotherov")
    expect(names.nth(3)).to_contain_text("Рустам Братов")
    assert_no_axe_violations(page)

    # Taking one off asks once more; the way back keeps it.
    # Its button is named with the name it takes off (a screen reader hears which).
    remove = page.get_by_role("button", name=re.compile(rf"^Take off the list\W+{CONFIDENTIAL_PEOPLE[0]}$"))
    assert_usable_at_every_width(page, remove)
    with page.expect_response(lambda response: response.request.method == "POST"):
        remove.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take this name off the list?")
    keep = page.get_by_role("link", name="No, keep it on the list")
    confirm = page.get_by_role("button", name="Yes, take it off the list")
    assert_usable_at_every_width(page, keep, confirm)
    assert_no_axe_violations(page)
    press(page, "Yes, take it off the list")
    expect(page.get_by_role("status")).to_have_text("One name was taken off the list.")
    expect(names).to_have_count(3)
    expect(page.get_by_role("region", name="On the list now")).not_to_contain_text(CONFIDENTIAL_PEOPLE[0])
    assert_no_axe_violations(page)

    submission = Submission.objects.get(reference=reference)
    assert submission.confidential_names == [CONFIDENTIAL_PEOPLE[1], "Rustam Brotherov", "Рустам Братов"]
    assert list(NeverNamedChange.objects.values_list("added", "removed")) == [(2, 0), (0, 1)]

    page.get_by_role("link", name=f"Back to your report {reference}").click()
    expect(page.get_by_role("region", name="People who must never be named")).to_contain_text(
        "3 people are on your list"
    )
    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()


def test_the_russian_never_name_page_is_in_russian(any_page, live_server, receipt):
    page = any_page
    reference, passphrase = receipt
    page.goto(live_server.url + "/ru/receipt/")
    log_in(page, reference, passphrase, button="Открыть моё обращение")

    page.goto(live_server.url + "/ru/receipt/never-name/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Люди, которых нельзя называть")
    page.get_by_label("Добавьте людей, которых нельзя называть").fill("Рустам Братов")
    press(page, "Добавить в список")
    expect(page.get_by_role("status")).to_contain_text("В список добавлено 1 имя.")
    assert_no_axe_violations(page)
