"""What staff see of a letter's workflow, in Chromium at 1024, 1280 and 1920 px: each step's main action is on
the screen as the page opens, for every role that may take it, with no sideways scrolling; and every staff
page of the triage and letter flow passes axe-core. Screenshots at the three widths are kept as artefacts."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from communications import services
from communications.models import CommunicationStatus
from submissions import services as submission_services
from tests.browser.axe import assert_no_axe_violations
from tests.browser.staff import log_in
from tests.browser.visibility import WIDTHS, assert_in_view, assert_seen_at_every_width, assert_usable_at_every_width
from tests.support.factories import make_accepted_submission
from tests.support.staff import (
    attach_text,
    make_desk_officer,
    make_intake_officer,
    make_queued_submission,
    make_rapporteur,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = CommunicationStatus
HEIGHT = 768
ARTEFACTS = Path(__file__).resolve().parents[2] / ".data" / "test-artefacts" / "staff-layout"
COMMUNICATIONS = "/admin/communications/communication/"
QUEUE = "/admin/submissions/submission/"


def letter(status: str, *, consent_changed: bool = False):
    """A letter brought to `status` through the services, with the people who took it there."""
    officer, rapporteur = make_desk_officer("central-asia"), make_rapporteur()
    case = make_accepted_submission(country="TJ")
    communication, _ = services.communication_draft(
        submissions=[case], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en", by=officer
    )
    path = [S.IN_REVIEW, S.APPROVED, S.SENT, S.WITHHELD]
    steps = {
        S.IN_REVIEW: lambda: services.communication_submit_for_review(communication=communication, by=officer),
        S.APPROVED: lambda: services.communication_approve(communication=communication, by=rapporteur),
        S.SENT: lambda: services.communication_send(communication=communication, by=officer),
        S.WITHHELD: lambda: services.communication_withhold(
            communication=communication, by=rapporteur, reason="The State asked for time; a visit is planned."
        ),
    }
    for step in path[: path.index(status) + 1] if status != S.DRAFT else []:
        steps[step]()
    if consent_changed:
        submission_services.consent_withdraw(submission=case, language="en")
    communication.refresh_from_db()
    return communication, {"desk officer": officer, "rapporteur": rapporteur}


def screenshot(page: Page, name: str, width: int) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"{name}-{width}.png", full_page=True)


# (the letter's status, whether a consent change is open, the role, the step's main actions)
STEPS = [
    (S.DRAFT, False, "desk officer", ["Submit for review"]),
    (S.IN_REVIEW, False, "rapporteur", ["Approve"]),
    (S.APPROVED, False, "desk officer", ["Record as sent"]),
    (S.SENT, False, "rapporteur", ["Release now (early)", "Withhold"]),
    (S.WITHHELD, False, "rapporteur", ["Release"]),
    (S.APPROVED, True, "rapporteur", ["Acknowledge the consent change"]),
]


@pytest.mark.parametrize(
    ("status", "consent_changed", "role", "actions"),
    STEPS,
    ids=[f"{s}{'-consent-changed' if c else ''}-{r.replace(' ', '-')}" for s, c, r, _ in STEPS],
)
def test_each_steps_main_action_is_in_view_at_every_width(
    page: Page, live_server, status, consent_changed, role, actions
):
    communication, people = letter(status, consent_changed=consent_changed)
    log_in(page, live_server.url, people[role])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.goto(f"{live_server.url}{COMMUNICATIONS}{communication.pk}/change/")
        for action in actions:
            button = page.locator("fieldset.workflow").get_by_role("button", name=action, exact=True)
            assert_in_view(page, button, scroll=False)
        timeline = page.locator(".letter-timeline")
        assert_in_view(page, timeline, scroll=False)
        expect(timeline).to_contain_text("Drafted")
        expect(timeline).to_contain_text("Reply due")
        screenshot(
            page,
            f"communication-{status}{'-consent-changed' if consent_changed else ''}-{role.replace(' ', '-')}",
            width,
        )
    assert_no_axe_violations(page)


@pytest.mark.parametrize("role", ["desk officer", "rapporteur"])
def test_the_reply_form_is_in_reach_without_sideways_scrolling(page: Page, live_server, role):
    communication, people = letter(S.SENT)
    log_in(page, live_server.url, people[role])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.goto(f"{live_server.url}{COMMUNICATIONS}{communication.pk}/change/")
        form = page.locator(".reply-form")
        expect(form.get_by_role("heading", name="Record a reply")).to_be_visible()
        assert_in_view(page, form.get_by_role("button", name="Record the reply"))


@pytest.mark.parametrize("role", ["desk officer", "intake officer", "rapporteur"])
def test_a_case_page_with_every_part_reads_without_sideways_scrolling(page: Page, live_server, role):
    """The case's tables (defenders, consents, messages, files, history) fit the page at every width, for each
    role that reads cases: a file's SHA-256, 64 characters without a space, wraps instead of pushing the page
    sideways. Those who decide have the Decide… link in view too; a rapporteur reads without it."""
    officer = make_desk_officer("central-asia")
    reader = {"desk officer": officer, "intake officer": make_intake_officer(), "rapporteur": make_rapporteur()}[role]
    case = make_queued_submission(country="KZ", current_situation=["detained"])
    attach_text(case)
    submission_services.submission_request_information(submission=case, by=officer, question="When was it?")
    submission_services.consent_withdraw(submission=case, language="en")
    log_in(page, live_server.url, reader)
    page.goto(f"{live_server.url}{QUEUE}{case.pk}/change/")
    decide = page.get_by_role("link", name="Decide…")
    # A defender's last line (the block is taller than some screens), each table's last row, the evidence.
    controls = [page.locator("#defenders-group .case-row .form-row").last]
    controls += [page.locator(f"#{p}-group tbody tr").last for p in ("consents", "messages", "status_changes")]
    controls.append(page.get_by_role("link", name="original (evidence)"))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        screenshot(page, f"case-{role.replace(' ', '-')}", width)
    if role == "rapporteur":
        expect(decide).to_have_count(0)
    else:
        assert_usable_at_every_width(page, decide)
    assert_seen_at_every_width(page, *controls)  # down the page: each scrolled to the middle of the screen


def test_the_triage_and_drafting_pages_pass_axe(page: Page, live_server):
    officer = make_desk_officer("central-asia")
    case = make_queued_submission(country="KZ", current_situation=["detained"])
    make_queued_submission(country="KZ")  # the same defender: a possible duplicate, linked from the case page
    make_accepted_submission(country="TJ")
    submission_services.consent_withdraw(submission=case, language="en")  # the queue's and the case's notice
    log_in(page, live_server.url, officer)
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    for path in [
        QUEUE,
        f"{QUEUE}{case.pk}/change/",
        f"{QUEUE}{case.pk}/decide/",
        COMMUNICATIONS,
        f"{COMMUNICATIONS}add/",
    ]:
        page.goto(f"{live_server.url}{path}")
        if path == QUEUE:  # the changed consent heads the queue, its case one click away at every width
            assert_usable_at_every_width(page, page.locator(".consent-news").get_by_role("link", name=case.reference))
        if path.endswith("/change/"):
            expect(page.locator(".possible-duplicates a").first).to_be_visible()
        assert_no_axe_violations(page)
