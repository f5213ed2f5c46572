"""A desk officer triages a submission in the admin, in Chromium: the real two-factor login, the queue,
the urgent filter, the decrypted case, two decisions; an officer of another desk cannot reach the case."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from submissions.models import Message, Status, StatusChange, Submission
from tests.browser.staff import log_in
from tests.support.staff import attach_text, make_desk_officer, make_queued_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "/admin/submissions/submission/"
URGENT_NARRATIVE = "Detained at the Almaty airport on his return from the OSCE meeting; held without a lawyer"
CALM_NARRATIVE = "His newspaper's bank account was frozen after an article on land seizures in Osh"
FOREIGN_NARRATIVE = "Her office in Moscow was searched and the computers were seized"
QUESTION = "Which police station holds him now, and has a lawyer been allowed to see him?"
EVIDENCE = "Statement of his lawyer: refused access to the detention centre on 3 November."
ACCEPT_NOTE = "Within the mandate: a journalist detained for his reporting; the source has direct knowledge."


def wait_for_path(page: Page, path: str) -> None:
    """Wait for the page at `path`, whatever the query (the admin keeps the queue's filters in it)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def queue_references(page: Page) -> list[str]:
    return page.locator("#result_list tbody tr th a").all_inner_texts()


def field(page: Page, name: str):
    """The shown value of a read-only field on an admin change page."""
    return page.locator(f".field-{name} .readonly")


def history_rows(page: Page):
    return page.locator("tr[id^=status_changes-]")


def test_a_desk_officer_triages_an_urgent_case_in_the_admin(page: Page, live_server):
    officer = make_desk_officer("central-asia")
    calm = make_queued_submission(
        country="KG", place="Osh", description=CALM_NARRATIVE, violation_types=["killing", "registration_funding"]
    )
    urgent = make_queued_submission(country="KZ", description=URGENT_NARRATIVE, current_situation=["detained"])
    attach_text(urgent, name="lawyer-statement.txt", text=EVIDENCE)
    foreign = make_queued_submission(country="RU", place="Moscow", description=FOREIGN_NARRATIVE)
    assert urgent.urgent and not calm.urgent
    assert (urgent.desk.code, calm.desk.code, foreign.desk.code) == ("central-asia", "central-asia", "eastern-europe")
    assert urgent.status == Status.QUEUED

    log_in(page, live_server.url, officer)

    # The queue: the urgent case on top, marked; only this desk's cases.
    page.locator(f"#content-main a[href='{QUEUE}']").first.click()
    wait_for_path(page, QUEUE)
    assert queue_references(page) == [urgent.reference, calm.reference]
    first_row = page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text(urgent.reference)
    expect(first_row.locator("strong.urgent")).to_have_text("URGENT")
    expect(page.locator("#result_list")).not_to_contain_text(foreign.reference)

    # Filter: urgent cases only.
    urgent_filter = page.locator("#changelist-filter details[data-filter-title='urgent appeal candidate']")
    urgent_filter.get_by_role("link", name="Yes", exact=True).click()
    page.wait_for_url(re.compile(r".*[?&]urgent__exact=1"))
    assert queue_references(page) == [urgent.reference]

    # The case, decrypted for the desk officer.
    page.get_by_role("link", name=urgent.reference, exact=True).click()
    wait_for_path(page, f"{QUEUE}{urgent.pk}/change/")
    expect(field(page, "description")).to_have_text(URGENT_NARRATIVE)
    expect(field(page, "status")).to_have_text("In the desk queue")
    assert page.get_by_text(URGENT_NARRATIVE).count() == 1
    # The evidence, opened with the key this login unlocked (the case is sealed on the server).
    original = page.get_by_role("link", name="original (evidence)")
    expect(original).to_be_visible()
    with page.expect_download() as download:
        original.click()
    assert Path(download.value.path()).read_text() == EVIDENCE

    # First decision: ask the source.
    page.get_by_role("link", name="Decide…").click()
    wait_for_path(page, f"{QUEUE}{urgent.pk}/decide/")
    page.get_by_label("Ask the source for more information").check()
    page.get_by_label("Question").fill(QUESTION)
    page.get_by_role("button", name="Record the decision").click()

    wait_for_path(page, f"{QUEUE}{urgent.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text("decision recorded")
    expect(field(page, "status")).to_have_text("More information requested")
    asked = history_rows(page).filter(has_text="More information requested from the source")
    expect(asked).to_have_count(1)
    expect(asked).to_contain_text(officer.get_username())
    expect(asked.locator(".field-from_status")).to_have_text("In the desk queue")
    expect(asked.locator(".field-to_status")).to_have_text("More information requested")
    expect(page.locator("tr[id^=messages-]").filter(has_text=QUESTION)).to_have_count(1)

    urgent.refresh_from_db()
    assert urgent.status == Status.INFO_REQUESTED
    change = urgent.status_changes.latest("created_at")
    assert (change.from_status, change.to_status, change.changed_by, change.actor) == (
        Status.QUEUED,
        Status.INFO_REQUESTED,
        officer,
        "staff",
    )
    assert change.reason == "More information requested from the source"
    (message,) = Message.objects.filter(submission=urgent, direction=Message.Direction.TO_SOURCE)  # the question
    assert (message.direction, message.body, message.author) == (Message.Direction.TO_SOURCE, QUESTION, officer)

    # Second decision: accept, with the reason.
    page.get_by_role("link", name="Decide…").click()
    wait_for_path(page, f"{QUEUE}{urgent.pk}/decide/")
    expect(page.locator("#content")).to_contain_text("Status now: More information requested")
    page.get_by_label("Accept (move on to a communication)").check()
    page.get_by_label("Note").fill(ACCEPT_NOTE)
    page.get_by_role("button", name="Record the decision").click()

    wait_for_path(page, f"{QUEUE}{urgent.pk}/change/")
    expect(field(page, "status")).to_have_text("Accepted")
    accepted = history_rows(page).filter(has_text=ACCEPT_NOTE)
    expect(accepted).to_have_count(1)
    expect(accepted).to_contain_text(officer.get_username())
    expect(accepted.locator(".field-from_status")).to_have_text("More information requested")
    expect(accepted.locator(".field-to_status")).to_have_text("Accepted")

    urgent.refresh_from_db()
    assert urgent.status == Status.ACCEPTED
    decisions = [
        (c.from_status, c.to_status, c.changed_by, c.reason)
        for c in StatusChange.objects.filter(submission=urgent, actor="staff").order_by("created_at", "id")
    ]
    assert decisions == [
        (Status.QUEUED, Status.INFO_REQUESTED, officer, "More information requested from the source"),
        (Status.INFO_REQUESTED, Status.ACCEPTED, officer, ACCEPT_NOTE),
    ]
    # Nothing else moved.
    assert Submission.objects.get(pk=calm.pk).status == Status.QUEUED
    assert Submission.objects.get(pk=foreign.pk).status == Status.QUEUED


def test_an_officer_of_another_desk_cannot_reach_the_case(page: Page, live_server):
    case = make_queued_submission(country="KZ", description=URGENT_NARRATIVE, current_situation=["detained"])
    own = make_queued_submission(country="RU", place="Moscow", description=FOREIGN_NARRATIVE)
    outsider = make_desk_officer("eastern-europe")

    log_in(page, live_server.url, outsider)

    page.goto(f"{live_server.url}{QUEUE}")
    assert queue_references(page) == [own.reference]

    # The change page: the admin finds no such submission in the officer's queryset.
    page.goto(f"{live_server.url}{QUEUE}{case.pk}/change/")
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.locator(".messagelist")).to_contain_text(f"Submission with ID “{case.pk}” doesn’t exist")
    assert page.get_by_text(URGENT_NARRATIVE).count() == 0

    # The decision page: not found.
    response = page.goto(f"{live_server.url}{QUEUE}{case.pk}/decide/")
    assert response.status == 404
    assert URGENT_NARRATIVE not in page.content()

    # A decision posted anyway (with the officer's own CSRF token) changes nothing.
    page.goto(f"{live_server.url}{QUEUE}{own.pk}/decide/")
    token = page.locator("#content input[name=csrfmiddlewaretoken]").input_value()
    refused = page.request.post(
        f"{live_server.url}{QUEUE}{case.pk}/decide/",
        form={"csrfmiddlewaretoken": token, "decision": "accept", "note": "not mine"},
        headers={"Referer": f"{live_server.url}{QUEUE}{own.pk}/decide/"},
    )
    assert refused.status == 404
    case.refresh_from_db()
    assert case.status == Status.QUEUED
    assert not case.status_changes.filter(changed_by=outsider).exists()
