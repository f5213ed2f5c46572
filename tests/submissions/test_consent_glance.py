"""Consent at a glance: the queue and the case page say whether consent is given, narrowed or withdrawn and
when; a case whose source changed consent heads its desk's list until staff note it or decide."""

import re

import pytest

from submissions import selectors, services
from submissions.models import Consent
from tests.support.staff import login_staff, make_desk_officer, make_queued_submission

pytestmark = pytest.mark.django_db

QUEUE = "/admin/submissions/submission/"
ALL = {"contact_government": True, "public_naming": True, "written_consent": "written"}
LETTER_ONLY = {"contact_government": True, "public_naming": False, "written_consent": "written"}


def glance(submission):
    consent, previous = selectors.consent_pair(submission)
    return consent.glance(previous)


def test_it_tells_given_narrowed_and_withdrawn_apart():
    case = make_queued_submission()
    assert glance(case) == ("given", "Given: may be named to the government, not in public")
    services.consent_change(submission=case, consent=ALL, language="en")
    assert glance(case) == ("given", "Given: may be named to the government and in public")
    services.consent_change(submission=case, consent=LETTER_ONLY, language="en")
    assert glance(case) == ("narrowed", "Narrowed: may be named to the government, not in public")
    services.consent_withdraw(submission=case, language="en")
    assert glance(case) == ("withdrawn", "Withdrawn")


def test_a_changed_consent_heads_the_list_until_staff_note_it():
    officer = make_desk_officer("central-asia")
    earlier, later, untouched = make_queued_submission(), make_queued_submission(), make_queued_submission()
    services.consent_withdraw(submission=earlier, language="en")
    services.consent_change(submission=later, consent=ALL, language="en")

    assert selectors.consent_news(user=officer) == [later, earlier]
    assert untouched not in selectors.consent_news(user=officer)

    services.submission_consent_noted(submission=later, by=officer)
    assert selectors.consent_news(user=officer) == [earlier]
    noted = later.status_changes.get(actor="staff")
    assert noted.reason.startswith("Noted the consent change") and noted.from_status == noted.to_status

    services.submission_accept(submission=earlier, by=officer, reason="Within the mandate")
    assert selectors.consent_news(user=officer) == []

    # A change after staff acted brings it back.
    services.consent_withdraw(submission=later, language="en")
    assert selectors.consent_news(user=officer) == [later]


def test_another_desks_changes_are_not_listed():
    case = make_queued_submission(country="RU", place="Moscow")
    services.consent_withdraw(submission=case, language="en")
    assert selectors.consent_news(user=make_desk_officer("central-asia")) == []


def test_the_queue_shows_the_consent_of_each_case_and_lists_the_change_on_top(client):
    officer = make_desk_officer("central-asia")
    calm, withdrawn = make_queued_submission(), make_queued_submission()
    services.consent_withdraw(submission=withdrawn, language="en")
    when = Consent.objects.filter(submission=withdrawn).latest("recorded_at").recorded_at
    login_staff(client, officer)

    html = client.get(QUEUE).content.decode()

    panel = re.search(r'<section class="module consent-news".*?</section>', html, re.S).group(0)
    assert withdrawn.reference in panel and calm.reference not in panel
    assert "Withdrawn" in panel and when.strftime("%Y-%m-%d") in panel
    row = re.search(
        rf"<tr>(?:(?!</tr>).)*{withdrawn.reference}(?:(?!</tr>).)*</tr>", html.split("</section>", 1)[1], re.S
    )
    assert "consent-withdrawn" in row.group(0)
    assert "through the receipt" in row.group(0)
    calm_row = re.search(rf"<tr>(?:(?!</tr>).)*{calm.reference}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert "Given: may be named to the government, not in public" in calm_row
    assert "at intake" in calm_row


def test_the_case_page_shows_the_change_and_staff_note_it_there(client):
    officer = make_desk_officer("central-asia")
    case = make_queued_submission()
    services.consent_withdraw(submission=case, language="en")
    login_staff(client, officer)

    html = client.get(f"{QUEUE}{case.pk}/change/").content.decode()
    assert "The source changed consent" in html
    assert "Withdrawn" in html

    response = client.post(f"{QUEUE}{case.pk}/consent-noted/")
    assert response.status_code == 302
    html = client.get(f"{QUEUE}{case.pk}/change/").content.decode()
    assert "The source changed consent" not in html
    assert "consent-withdrawn" in html  # still shown as it is, in the case's fields
    case.refresh_from_db()
    assert case.status == "queued"


def test_the_queue_opens_on_open_work_and_the_rest_is_one_filter_away(client):
    officer = make_desk_officer("central-asia")
    open_case, closed = make_queued_submission(), make_queued_submission()
    services.submission_reject(submission=closed, by=officer, reason="media_only")
    login_staff(client, officer)

    default = client.get(QUEUE).content.decode()
    done = client.get(f"{QUEUE}?work=done").content.decode()
    by_status = client.get(f"{QUEUE}?status__exact=not_admissible").content.decode()

    assert open_case.reference in default and closed.reference not in default
    assert closed.reference in done and open_case.reference not in done
    assert closed.reference in by_status


def test_the_case_page_shows_codes_in_words(client):
    officer = make_desk_officer("central-asia")
    case = make_queued_submission(current_situation=["detained"], violation_types=["online_attacks"])
    login_staff(client, officer)

    html = client.get(f"{QUEUE}{case.pk}/change/").content.decode()

    assert "Online attacks or smear campaigns" in html and "Is detained now" in html
    assert "Journalism" in html or "journalism" not in html.split('id="defenders-group"', 1)[1]
    assert ">online_attacks<" not in html and "online_attacks</div>" not in html
