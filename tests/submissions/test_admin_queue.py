"""The staff review queue: order, filters, overdue markers, desk counts, decisions and bulk actions."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import AuditEvent, Mail
from submissions import services
from submissions.models import Desk, Message, Status, StatusChange, Submission
from tests.support.intake import CONFIDENTIAL_PEOPLE, DEFENDER_NAME, NARRATIVE, PLACE, SOURCE_NAME, submit_case
from tests.support.mail import drain_outbox
from tests.support.staff import (
    attach_text,
    login_staff,
    make_desk_officer,
    make_intake_officer,
    make_queued_submission,
)

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/admin/submissions/submission/"
COMPLETE = {"contact_method": "signal", "contact_details": "signal-5511", "incident_date": datetime.date(2026, 9, 1)}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def officer(client):
    """A desk officer of Central Asia, logged in with password and TOTP code."""
    user = make_desk_officer("central-asia")
    login_staff(client, user)
    return user


@pytest.fixture
def administrator(client):
    """Someone who sees every desk's queue: an intake officer (administrators keep accounts, not cases)."""
    user = make_intake_officer()
    login_staff(client, user)
    return user


def listed(reference: str) -> str:
    return f">{reference}</a>"


def queue_page(client, query: str = "") -> str:
    response = client.get(f"{SUBMISSIONS}{query}")
    assert response.status_code == 200
    return response.content.decode()


def queue_order(page: str, submissions) -> list[str]:
    references = [s.reference for s in submissions]
    assert all(listed(reference) in page for reference in references)
    return sorted(references, key=lambda reference: page.index(listed(reference)))


def queue_row(page: str, reference: str) -> str:
    rows = re.findall(r"<tr\b.*?</tr>", page, flags=re.DOTALL)
    (row,) = [row for row in rows if listed(reference) in row]
    return row


def words(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()


def inline_rows(page: str, prefix: str) -> list[dict[str, str]]:
    """The rows of a read-only tabular inline, as {field: shown text}."""
    rows = re.findall(rf'<tr[^>]*id="{prefix}-\d+"[^>]*>(.*?)</tr>', page, flags=re.DOTALL)
    return [
        {
            name: " ".join(words(cell))
            for name, cell in re.findall(r'<td class="field-(\w+)">(.*?)</td>', row, re.DOTALL)
        }
        for row in rows
    ]


def age(submission: Submission, **delta) -> None:
    Submission.objects.filter(pk=submission.pk).update(created_at=timezone.now() - datetime.timedelta(**delta))


# --- Order, filters, markers ----------------------------------------------------


def test_the_queue_lists_urgent_cases_first_then_by_priority_then_oldest_first(client, officer):
    old_plain = make_queued_submission(country="TJ")  # priority 1 (woman defender)
    young_plain = make_queued_submission(country="TJ")
    high_priority = make_queued_submission(country="KZ", violation_types=["arbitrary_detention", "online_attacks"])
    urgent = make_queued_submission(country="KG", current_situation=["detained"])
    urgent_high = make_queued_submission(
        country="UZ", current_situation=["detained"], violation_types=["arbitrary_detention"]
    )
    age(old_plain, days=10)
    age(young_plain, days=2)
    age(high_priority, days=1)
    age(urgent_high, hours=1)
    assert (high_priority.priority, old_plain.priority, urgent_high.priority) == (3, 1, 2)

    page = queue_page(client)

    assert queue_order(page, [old_plain, young_plain, high_priority, urgent, urgent_high]) == [
        urgent_high.reference,
        urgent.reference,
        high_priority.reference,
        old_plain.reference,
        young_plain.reference,
    ]


@pytest.fixture
def queue(administrator):
    cases = {
        "urgent_tj": make_queued_submission(
            country="TJ", current_situation=["detained"], violation_types=["arbitrary_detention"]
        ),
        "complete_kz": make_queued_submission(country="KZ", **COMPLETE),
        "online_ru": make_queued_submission(country="RU", violation_types=["online_attacks"]),
        "accepted_uz": make_queued_submission(country="UZ"),
        "mine_kg": make_queued_submission(country="KG"),
    }
    services.submission_accept(submission=cases["accepted_uz"], by=administrator)
    services.submission_assign(submission=cases["mine_kg"], assignee=administrator, by=administrator)
    return cases


EVERY_CASE = {"urgent_tj", "complete_kz", "online_ru", "accepted_uz", "mine_kg"}
FILTERS = [
    ("?status__exact=queued", {"urgent_tj", "complete_kz", "online_ru"}),
    ("?status__exact=accepted", {"accepted_uz"}),
    ("?status__exact=in_review", {"mine_kg"}),
    ("?desk=eastern-europe", {"online_ru"}),
    ("?desk=central-asia", {"urgent_tj", "complete_kz", "accepted_uz", "mine_kg"}),
    ("?flag=online_attacks", {"online_ru"}),
    ("?flag=imprisonment", {"urgent_tj"}),
    ("?urgent__exact=1", {"urgent_tj"}),
    ("?urgent__exact=0", EVERY_CASE - {"urgent_tj"}),
    ("?complete=yes", {"complete_kz"}),
    ("?complete=no", EVERY_CASE - {"complete_kz"}),
    ("?assignee=me", {"mine_kg"}),
    ("?assignee=none", EVERY_CASE - {"mine_kg"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[query for query, _ in FILTERS])
def test_each_queue_filter_lists_exactly_its_cases(client, queue, query, expected):
    if query.startswith("?desk="):
        query = f"?desk__id__exact={Desk.objects.get(code=query.removeprefix('?desk=')).pk}"

    page = queue_page(client, query)

    shown = {name for name, submission in queue.items() if listed(submission.reference) in page}
    assert shown == expected


def test_the_desk_filter_offers_a_desk_officer_only_their_desks(client, officer):
    page = queue_page(client)

    assert f"?desk__id__exact={Desk.objects.get(code='central-asia').pk}" in page
    assert f"?desk__id__exact={Desk.objects.get(code='eastern-europe').pk}" not in page


@pytest.mark.parametrize(
    ("urgent", "waiting", "overdue"),
    [
        (True, {"hours": 49}, True),
        (True, {"hours": 47}, False),
        (False, {"days": 31}, True),
        (False, {"days": 29}, False),
    ],
    ids=["urgent-49h", "urgent-47h", "other-31d", "other-29d"],
)
def test_the_queue_marks_cases_waiting_too_long_as_overdue(client, officer, urgent, waiting, overdue):
    submission = make_queued_submission(country="TJ", current_situation=["detained"] if urgent else [])
    assert submission.urgent is urgent
    age(submission, **waiting)

    row = queue_row(queue_page(client), submission.reference)

    assert ("overdue" in row) is overdue
    waited = f"{waiting['days']} d" if "days" in waiting else f"{waiting['hours'] // 24} d"
    assert waited in " ".join(words(row))


def test_a_decided_case_is_never_overdue(client, officer):
    submission = make_queued_submission(country="TJ")
    services.submission_accept(submission=submission, by=officer)
    age(submission, days=90)

    assert "overdue" not in queue_row(queue_page(client), submission.reference)


def test_the_admin_index_counts_open_cases_per_desk_and_status(client, administrator):
    make_queued_submission(country="KZ")
    make_queued_submission(country="TJ")
    in_review = make_queued_submission(country="KG")
    services.submission_assign(submission=in_review, assignee=administrator, by=administrator)
    accepted = make_queued_submission(country="TJ")
    services.submission_accept(submission=accepted, by=administrator)
    make_queued_submission(country="RU")
    make_queued_submission(country="HK")  # a country of no desk

    page = client.get("/admin/").content.decode()

    def counts(desk_name: str) -> list[int]:
        row = re.search(rf">{desk_name}(?:</a>)?</th>(.*?)</tr>", page, flags=re.DOTALL).group(1)
        return [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]

    # Received, in the desk queue, in review, information requested, total.
    assert counts("Central Asia") == [0, 2, 1, 0, 3]
    assert counts("Eastern Europe and the Caucasus") == [0, 1, 0, 0, 1]
    assert counts("No desk") == [0, 1, 0, 0, 1]
    assert ">Africa</a>" not in page
    # Desks by name, the cases of no desk last.
    rows = re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', page)
    assert rows == ["Central Asia", "Eastern Europe and the Caucasus", "No desk"]


def test_the_queue_table_is_the_one_djangos_admin_would_write(client, administrator):
    """The rows come from submissions.templatetags.staff_queue, which works each column out once per page:
    cell for cell, the HTML of Django's own result_list, filters kept in the links included."""
    from django.contrib.admin.templatetags import admin_list

    from submissions.templatetags.staff_queue import queue_results

    make_queued_submission(country="KZ", current_situation=["detained"], **COMPLETE)
    make_queued_submission(country="TJ")
    assigned = make_queued_submission(country="KG", **COMPLETE)
    services.submission_assign(submission=assigned, assignee=administrator, by=administrator)
    withdrawn = make_queued_submission(country="RU")
    services.consent_withdraw(submission=withdrawn, language="en")
    accepted = make_queued_submission(country="HK")  # a country of no desk
    services.submission_accept(submission=accepted, by=administrator)
    age(accepted, days=45)

    for query in ("", "?work=all", "?work=all&o=-6.3", "?status__exact=queued&urgent__exact=1"):
        changelist = client.get(f"{SUBMISSIONS}{query}").context_data["cl"]
        djangos = ["".join(row) for row in admin_list.results(changelist)]
        ours = ["".join(row) for row in queue_results(changelist)]
        assert ours == djangos
        assert len(ours) == changelist.result_count > 0


def test_the_queue_reads_its_rows_in_as_many_queries_however_many_there_are(client, administrator):
    """A row reads only the columns it shows (submissions.admin.ROW_FIELDS): a column showing anything else of
    the case would read it again for every row, as Django reads a deferred field."""
    make_queued_submission(country="TJ")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            queue_page(client)
        return len(captured.captured_queries)

    one_row = queries()
    for country in ("KZ", "UZ", "HK"):
        make_queued_submission(country=country)

    assert queries() == one_row


# --- Decisions through the decide view ------------------------------------------


def decide(client, submission: Submission, **data):
    return client.post(f"{SUBMISSIONS}{submission.pk}/decide/", data)


def change_page(client, submission: Submission) -> str:
    response = client.get(f"{SUBMISSIONS}{submission.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_reads_the_case_once_however_long_its_history(client, officer):
    """The rows of the case's tables (history, consents, defenders...) hold the case they belong to, so that
    nothing shown of a row reads the case (and opens its sealed values) again, however many rows there are."""
    submission = make_queued_submission(country="TJ")

    def full_reads_of_cases() -> int:
        with CaptureQueriesContext(connection) as queries:
            change_page(client, submission)
        return sum('"submissions_submission"."description"' in query["sql"] for query in queries.captured_queries)

    before = full_reads_of_cases()
    services.submission_assign(submission=submission, assignee=officer, by=officer)
    services.consent_withdraw(submission=submission, language="en")

    assert full_reads_of_cases() == before <= 2  # the case, and the cases linked to it


def test_the_case_page_reads_its_desk_and_assignee_with_the_case(client, officer):
    """Both are shown on the page: read in the case's own query, not in one more query each."""
    submission = make_queued_submission(country="TJ")

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            page = change_page(client, submission)
        assert str(submission.desk) in page
        return [query["sql"] for query in captured.captured_queries]

    unassigned = queries()
    services.submission_assign(submission=submission, assignee=officer, by=officer)
    assigned = queries()

    assert len(assigned) == len(unassigned)
    case_reads = [sql for sql in assigned if '"submissions_submission"."description"' in sql]
    assert len(case_reads) == 1
    assert '"submissions_desk"."name"' in case_reads[0]
    assert '"auth_user"."username"' in case_reads[0]


def test_the_case_page_is_the_one_djangos_admin_would_write(client, officer):
    """The case's fieldsets come from portal/templatetags/readonly_admin.py, which writes each in one piece:
    element for element, what Django's own fieldset.html writes. The cells of its tables (submissions.admin's
    CaseTable) are what Django's read-only admin field writes for the same row. Both for a case with every part
    filled (defenders, people never to be named, consents, messages, a file, history), markup in the source's
    words included."""
    from pathlib import Path

    from django.contrib import admin as django_admin
    from django.contrib.admin.helpers import AdminReadonlyField
    from django.contrib.admin.utils import label_for_field
    from django.forms import modelform_factory
    from django.template import Context, Template
    from django.test.html import parse_html
    from django.utils.text import capfirst

    from portal.templatetags.readonly_admin import readonly_fieldset
    from submissions.admin import SubmissionAdmin

    assert submit_case(Client()).status_code == 200
    submission = Submission.objects.get()
    services.submission_screen(submission_id=submission.pk)
    services.submission_assign(submission=submission, assignee=officer, by=officer)
    services.submission_request_information(submission=submission, by=officer, question="When was it? <b>x</b>")
    attach_text(submission)
    services.consent_withdraw(submission=submission, language="en")

    context = client.get(f"{SUBMISSIONS}{submission.pk}/change/").context_data
    djangos = Path(django_admin.__file__).parent / "templates" / "admin"
    fieldset_html = Template((djangos / "includes" / "fieldset.html").read_text())

    fieldsets = list(context["adminform"])
    assert len(fieldsets) == 5
    for index, fieldset in enumerate(fieldsets):
        names = {"heading_level": 2, "prefix": "fieldset", "id_prefix": 0, "id_suffix": index}
        ours = readonly_fieldset(fieldset, **names)
        assert ours is not None
        assert parse_html(ours) == parse_html(fieldset_html.render(Context({"fieldset": fieldset, **names})))

    class Reading:  # what AdminReadonlyField asks of the admin it belongs to: the table's displays, the empty value
        def __init__(self, table):
            self.table = table

        def __getattr__(self, name):
            return getattr(self.table, name)

        def get_empty_value_display(self):
            return "-"

    submission = Submission.objects.get()
    for table_class in SubmissionAdmin.tables:
        table = table_class(submission, "-")
        rows = table.rows()
        assert rows, table.prefix  # every table has rows to compare
        for row in rows:
            form = modelform_factory(table.model, fields=[])(instance=row)
            for name in table.fields:
                field = table.model._meta.get_field(name) if not hasattr(table, name) else None
                if field is not None and field.is_relation:  # a colleague's name: without Django's link to them
                    value = getattr(row, name)
                    assert table.cell(row, name) == ("-" if value is None else str(value))
                    continue
                theirs = AdminReadonlyField(form, name, False, model_admin=Reading(table))
                assert parse_html(table.cell(row, name)) == parse_html(theirs.contents()), (table.prefix, name)
        labels = [label for _, label, _ in table.columns()]
        assert labels == [capfirst(label_for_field(name, table.model, Reading(table))) for name in table.fields]

    page = change_page(client, submission)
    assert "When was it? &lt;b&gt;x&lt;/b&gt;" in page  # words, never markup
    assert "When was it? <b>x</b>" in [row["body"] for row in inline_rows(page, "messages")]


def assert_decision_recorded(client, submission, *, by, to_status: Status, reason: str, from_status=Status.QUEUED):
    """The newest status change row, and its line in the history on the submission's page."""
    change = submission.status_changes.order_by("created_at", "id").last()
    assert (change.from_status, change.to_status, change.changed_by, change.actor, change.reason) == (
        from_status,
        to_status,
        by,
        "staff",
        reason,
    )
    shown = inline_rows(change_page(client, submission), "status_changes")[-1]
    assert shown["from_status"] == Status(from_status).label
    assert shown["to_status"] == Status(to_status).label
    assert shown["changed_by"] == by.get_username()
    assert shown["reason"] == reason
    assert shown["created_at"]


def test_the_case_page_lists_the_people_never_to_be_named_and_audits_the_read(client, officer):
    assert submit_case(Client()).status_code == 200
    submission = Submission.objects.get()
    services.submission_screen(submission_id=submission.pk)

    page = change_page(client, submission)

    section = page.split("People who must never be named")[1]
    assert all(f"<li>{name}</li>" in section for name in CONFIDENTIAL_PEOPLE)
    event = AuditEvent.objects.filter(user=officer, object_id=str(submission.pk)).latest("pk")
    assert "confidential_people" in event.fields


def test_the_decide_page_offers_every_decision(client, officer):
    submission = make_queued_submission(country="TJ")

    page = client.get(f"{SUBMISSIONS}{submission.pk}/decide/").content.decode()

    for decision in ["assign", "request_information", "accept", "not_admissible", "duplicate", "link"]:
        assert f'value="{decision}"' in page
    assert f'href="{SUBMISSIONS}{submission.pk}/decide/"' in change_page(client, submission)


def test_assigning_to_a_colleague_puts_the_case_in_review_with_them(client, officer):
    colleague = make_desk_officer("central-asia")
    submission = make_queued_submission(country="TJ")

    response = decide(client, submission, decision="assign", assignee=colleague.pk)

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.assignee == colleague
    assert_decision_recorded(
        client, submission, by=officer, to_status=Status.IN_REVIEW, reason=f"Assigned to {colleague.username}"
    )


def test_a_case_cannot_be_assigned_to_an_officer_who_cannot_see_it(client, officer):
    other_desk = make_desk_officer("eastern-europe")
    submission = make_queued_submission(country="TJ")

    response = decide(client, submission, decision="assign", assignee=other_desk.pk)

    # The case would vanish from every "assigned to me" list: the assignee's queue never shows it.
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.assignee is None
    assert submission.status == Status.QUEUED


def test_asking_the_source_puts_the_question_in_their_receipt_inbox(client, officer):
    source = Client()
    receipt = submit_case(source).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', receipt).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', receipt).group(1)
    source.cookies.clear()
    submission = Submission.objects.get(reference=reference)
    services.submission_screen(submission_id=submission.pk)
    question = "Was a lawyer present when she was questioned on 21 November?"

    response = decide(client, submission, decision="request_information", question=question)

    assert response.status_code == 302
    message = submission.messages.get()
    assert (message.direction, message.body, message.author) == (Message.Direction.TO_SOURCE, question, officer)
    assert_decision_recorded(
        client,
        submission,
        by=officer,
        to_status=Status.INFO_REQUESTED,
        reason="More information requested from the source",
    )
    assert question in change_page(client, submission)
    login = source.post("/receipt/", {"reference": reference, "passphrase": passphrase})
    assert login.status_code == 302
    inbox = source.get("/receipt/case/").content.decode()
    assert question in inbox
    assert "More information requested" in inbox
    assert officer.username not in inbox


def test_accepting_records_who_and_why(client, officer):
    submission = make_queued_submission(country="TJ")

    decide(client, submission, decision="accept", note="Detention of a journalist, within the mandate")

    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED
    assert_decision_recorded(
        client,
        submission,
        by=officer,
        to_status=Status.ACCEPTED,
        reason="Detention of a journalist, within the mandate",
    )


def test_not_admissible_needs_a_reason_from_the_criteria(client, officer):
    submission = make_queued_submission(country="TJ")

    refused = decide(client, submission, decision="not_admissible", note="Only press clippings")
    decide(client, submission, decision="not_admissible", reason="media_only", note="Only press clippings")

    assert refused.status_code == 200
    assert "Needed for this decision." in refused.content.decode()
    submission.refresh_from_db()
    assert (submission.status, submission.inadmissible_reason) == (Status.NOT_ADMISSIBLE, "media_only")
    assert_decision_recorded(
        client,
        submission,
        by=officer,
        to_status=Status.NOT_ADMISSIBLE,
        reason="Based solely on media reports. Only press clippings",
    )


def test_a_duplicate_is_merged_into_the_other_reference(client, officer):
    original = make_queued_submission(country="TJ")
    submission = make_queued_submission(country="TJ")

    # As typed by hand: lower case, with spaces around it.
    response = decide(client, submission, decision="duplicate", other_reference=f"  {original.reference.lower()} ")

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.DUPLICATE
    assert submission.duplicate_of == original
    assert list(submission.related.all()) == [original]
    assert_decision_recorded(
        client, submission, by=officer, to_status=Status.DUPLICATE, reason=f"Duplicate of {original.reference}"
    )


def test_an_unknown_reference_is_refused_for_a_duplicate(client, officer):
    submission = make_queued_submission(country="TJ")

    response = decide(client, submission, decision="duplicate", other_reference="HRD-00000-00001")

    assert response.status_code == 200
    assert "No submission you can see has this reference." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.QUEUED


def test_a_case_cannot_be_marked_a_duplicate_of_itself(client, officer):
    submission = make_queued_submission(country="TJ")

    response = decide(client, submission, decision="duplicate", other_reference=submission.reference)

    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == Status.QUEUED
    assert submission.duplicate_of is None


def test_linking_shows_the_other_case_and_records_who_linked_it(client, officer):
    other = make_queued_submission(country="TJ")
    submission = make_queued_submission(country="TJ")

    response = decide(client, submission, decision="link", other_reference=other.reference)

    assert response.status_code == 302
    assert list(submission.related.all()) == [other]
    assert list(other.related.all()) == [submission]
    with CaptureQueriesContext(connection) as queries:
        page = change_page(client, submission)
    assert f'<a href="{SUBMISSIONS}{other.pk}/change/">{other.reference}</a>' in page
    # The link reads the other case's reference, not its sealed columns (which would open its key).
    full_reads = [
        query for query in queries.captured_queries if '"submissions_submission"."description"' in query["sql"]
    ]
    assert len(full_reads) == 1
    submission.refresh_from_db()
    assert submission.status == Status.QUEUED
    change = submission.status_changes.order_by("created_at", "id").last()
    assert change.changed_by == officer
    assert other.reference in change.reason
    assert (change.from_status, change.to_status) == (Status.QUEUED, Status.QUEUED)


def test_a_decision_on_a_case_decided_meanwhile_changes_nothing(client, officer):
    submission = make_queued_submission(country="TJ")
    services.submission_accept(submission=submission, by=make_desk_officer("central-asia"))

    response = decide(client, submission, decision="not_admissible", reason="unfounded")

    assert response.status_code == 200
    assert "was decided by someone else meanwhile" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED
    assert submission.status_changes.filter(to_status=Status.NOT_ADMISSIBLE).count() == 0


# --- Bulk actions -----------------------------------------------------------------


def bulk(client, action: str, submissions):
    return client.post(
        SUBMISSIONS, {"action": action, "_selected_action": [str(s.pk) for s in submissions], "index": "0"}
    )


def test_assign_to_me_takes_the_selected_cases(client, officer):
    cases = [make_queued_submission(country="TJ"), make_queued_submission(country="KZ")]
    untouched = make_queued_submission(country="TJ")

    response = bulk(client, "assign_to_me", cases)

    assert response.status_code == 302
    for submission in cases:
        submission.refresh_from_db()
        assert (submission.assignee, submission.status) == (officer, Status.IN_REVIEW)
        assert submission.status_changes.get(to_status=Status.IN_REVIEW).changed_by == officer
    untouched.refresh_from_db()
    assert untouched.assignee is None
    assert listed(cases[0].reference) in queue_page(client, "?assignee=me")


def test_accept_in_bulk_accepts_the_open_cases_and_leaves_the_decided_ones(client, officer):
    open_case = make_queued_submission(country="TJ")
    rejected = make_queued_submission(country="TJ")
    services.submission_reject(submission=rejected, by=officer, reason="unfounded")

    response = bulk(client, "accept", [open_case, rejected])

    assert response.status_code == 302
    open_case.refresh_from_db()
    rejected.refresh_from_db()
    assert open_case.status == Status.ACCEPTED
    assert open_case.status_changes.get(to_status=Status.ACCEPTED).changed_by == officer
    assert rejected.status == Status.NOT_ADMISSIBLE
    page = client.get(SUBMISSIONS).content.decode()
    assert f"{rejected.reference} is no longer open" in page


def test_confirming_suggested_flags_raises_the_priority(client, officer):
    submission = make_queued_submission(
        country="TJ", description="Smeared on social media after exposing a mining company's land grab"
    )
    assert submission.flags == ["women"]
    assert {"online_attacks", "business"} <= set(submission.suggested_flags)
    suggested = set(submission.suggested_flags)

    bulk(client, "confirm_suggested_flags", [submission])

    submission.refresh_from_db()
    assert set(submission.flags) == {"women"} | suggested
    assert submission.suggested_flags == []
    assert submission.priority == len(submission.flags)


# --- The "new message" email to the source ------------------------------------------


def test_asking_the_source_emails_only_that_a_message_is_waiting(client, officer):
    submission = make_queued_submission(country="TJ", notify_email="source.mail@example.org")
    question = "Which court will hear the case of the Khorog journalists?"
    mail.outbox.clear()

    decide(client, submission, decision="request_information", question=question)
    sent = drain_outbox()

    assert sent == 1
    (email,) = mail.outbox
    assert email.to == ["source.mail@example.org"]
    assert email.subject == "You have a new message"
    assert "You have a new message" in email.body
    whole = f"{email.subject}\n{email.body}\n{email.message().as_string()}"
    for secret in [submission.reference, question, DEFENDER_NAME, NARRATIVE, "A. Source", "Almaty", officer.username]:
        assert secret not in whole
    assert drain_outbox() == 0
    assert len(mail.outbox) == 1


def test_without_an_address_the_source_gets_no_email(client, officer):
    submission = make_queued_submission(country="TJ")
    mail.outbox.clear()

    decide(client, submission, decision="request_information", question="When did it start?")
    drain_outbox()

    assert not Mail.objects.filter(key__startswith="submissions.new-message:").exists()
    assert mail.outbox == []


def test_the_intake_values_never_reach_the_new_message_email(client, officer):
    source = Client()
    receipt = submit_case(source, **{"source-notify_email": "me@example.net"}).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', receipt).group(1)
    submission = Submission.objects.get(reference=reference)
    services.submission_screen(submission_id=submission.pk)
    mail.outbox.clear()

    decide(client, submission, decision="request_information", question="Please send the court summons.")
    drain_outbox()

    (email,) = mail.outbox
    whole = email.message().as_string()
    for secret in [reference, SOURCE_NAME, DEFENDER_NAME, NARRATIVE, PLACE, "court summons"]:
        assert secret not in whole
    assert StatusChange.objects.filter(submission=submission, to_status=Status.INFO_REQUESTED).count() == 1


def test_a_long_queue_is_counted_only_up_to_the_cap(client, officer, monkeypatch):
    monkeypatch.setattr("submissions.admin.COUNT_CAP", 2)
    for _ in range(2):
        make_queued_submission(country="TJ")
    assert "2 submissions" in queue_page(client)

    make_queued_submission(country="TJ")
    page = queue_page(client)

    assert "More than 2 submissions: narrow the filters to see the rest." in page
    assert "3 submissions" not in page


def test_a_defender_reported_many_times_lists_the_oldest_duplicates_and_counts_the_rest(client, officer):
    from submissions.admin import DUPLICATES_SHOWN

    reports = [
        make_queued_submission(country="TJ", defender_name="Ulfathonim Mamadshoeva", place=f"Khorog {number}")
        for number in range(DUPLICATES_SHOWN + 2)
    ]
    case = reports[-1]

    page = client.get(f"{SUBMISSIONS}{case.pk}/change/").content.decode()

    panel = page[page.index('<ul class="possible-duplicates">') :]
    panel = panel[: panel.index("</ul>")]
    listed_references = re.findall(r">([^<]+)</a>", panel)
    assert listed_references == [report.reference for report in reports[:DUPLICATES_SHOWN]]
    assert f"The oldest {DUPLICATES_SHOWN} of {DUPLICATES_SHOWN + 1} are listed." in page
