"""Who may open which page of the staff review queue: every admin view against every role."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from submissions.models import Desk, Status
from tests.support.staff import (
    attach_text,
    login_staff,
    make_administrator,
    make_desk_officer,
    make_intake_officer,
    make_queued_submission,
    make_rapporteur,
    make_staff,
)

pytestmark = pytest.mark.django_db

EVIDENCE = "Statement of the witness, signed."

# What a role gets from a view.
LOGIN = "redirected to the login page"
SHOWN = "200, the case is on the page"
HIDDEN = "200, the case is not on the page"
OK = "200"
FILE = "200, the evidence file"
DENIED = "403"
MISSING = "404, or sent away with 'does not exist'"
DECIDED = "the decision is recorded"
SAVED = "the change is saved"

ROLES = [
    "anonymous",
    "password_only",
    "intake_officer",
    "desk_officer",
    "other_desk_officer",
    "rapporteur",
    "administrator",
]


@dataclass
class Case:
    submission: object
    attachment: object
    desk: Desk


@dataclass
class View:
    method: str
    url: Callable[[Case], str]
    # What the page shows that tells whether the case is visible on it.
    marker: Callable[[Case], str] = lambda case: case.submission.reference
    data: Callable[[Case, object], dict] | None = None
    expected: dict[str, str] | None = None


def _desk_form(case: Case, actor) -> dict:
    """The desk's change form as its page posts it, with the acting user added to the members."""
    desk = case.desk
    countries = list(desk.countries.all())
    members = [str(pk) for pk in desk.members.values_list("pk", flat=True)]
    if actor is not None:
        members.append(str(actor.pk))
    data = {
        "code": desk.code,
        "name": desk.name,
        "email": desk.email,
        "members": members,
        "countries-TOTAL_FORMS": str(len(countries)),
        "countries-INITIAL_FORMS": str(len(countries)),
        "countries-MIN_NUM_FORMS": "0",
        "countries-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(countries):
        data |= {
            f"countries-{index}-id": str(row.pk),
            f"countries-{index}-desk": str(desk.pk),
            f"countries-{index}-country": row.country.code,
        }
    return data


def _staff(everyone: str) -> dict[str, str]:
    return {"anonymous": LOGIN, "password_only": LOGIN} | dict.fromkeys(ROLES[2:], everyone)


SUBMISSIONS = "/admin/submissions/submission/"


def listed(reference: str) -> str:
    """How a case shows as a row of the queue: its reference, linked to its page."""
    return f">{reference}</a>"


VIEWS = {
    "queue list": View(
        "get",
        lambda case: SUBMISSIONS,
        marker=lambda case: listed(case.submission.reference),
        expected=_staff(SHOWN) | {"other_desk_officer": HIDDEN, "administrator": DENIED},
    ),
    "change page": View(
        "get",
        lambda case: f"{SUBMISSIONS}{case.submission.pk}/change/",
        expected=_staff(SHOWN) | {"other_desk_officer": MISSING, "administrator": DENIED},
    ),
    "decide page": View(
        "get",
        lambda case: f"{SUBMISSIONS}{case.submission.pk}/decide/",
        expected=_staff(OK) | {"other_desk_officer": MISSING, "rapporteur": DENIED, "administrator": DENIED},
    ),
    "decide post": View(
        "post",
        lambda case: f"{SUBMISSIONS}{case.submission.pk}/decide/",
        data=lambda case, actor: {"decision": "accept", "note": "Within the mandate"},
        expected=_staff(DECIDED) | {"other_desk_officer": MISSING, "rapporteur": DENIED, "administrator": DENIED},
    ),
    "attachment download": View(
        "get",
        lambda case: f"{SUBMISSIONS}{case.submission.pk}/attachment/{case.attachment.pk}/original/",
        expected=_staff(FILE) | {"other_desk_officer": MISSING, "administrator": DENIED},
    ),
    "desk list": View(
        "get",
        lambda case: "/admin/submissions/desk/",
        marker=lambda case: case.desk.name,
        expected=_staff(SHOWN) | {"other_desk_officer": HIDDEN},
    ),
    # Joining a desk is joining its cases: nobody adds themselves, administrators included.
    "desk membership change": View(
        "post",
        lambda case: f"/admin/submissions/desk/{case.desk.pk}/change/",
        data=_desk_form,
        expected=_staff(DENIED),
    ),
    "audit log": View(
        "get",
        lambda case: "/admin/portal/auditevent/",
        expected=_staff(DENIED) | {"administrator": OK},
    ),
    "admin index": View(
        "get",
        lambda case: "/admin/",
        # The per-desk counts of open submissions.
        marker=lambda case: f">{case.desk.name}</a>",
        expected=_staff(SHOWN) | {"other_desk_officer": HIDDEN, "administrator": HIDDEN},
    ),
}


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


@pytest.fixture
def case() -> Case:
    submission = make_queued_submission(country="KZ")
    attachment = attach_text(submission, text=EVIDENCE)
    assert submission.desk.code == "central-asia"
    assert submission.status == Status.QUEUED
    return Case(submission=submission, attachment=attachment, desk=submission.desk)


def act_as(client, role: str):
    """Log `client` in as a member of `role`; returns the user (None when anonymous)."""
    if role == "anonymous":
        return None
    if role == "password_only":
        # Past the password, never past the second factor: even a superuser stays out.
        user = make_staff(None, superuser=True)
        client.force_login(user)
        return user
    user = {
        "intake_officer": make_intake_officer,
        "desk_officer": lambda: make_desk_officer("central-asia"),
        "other_desk_officer": lambda: make_desk_officer("eastern-europe"),
        "rapporteur": make_rapporteur,
        "administrator": make_administrator,
    }[role]()
    login_staff(client, user)
    return user


TABLE = [(view, role) for view in VIEWS for role in ROLES]


@pytest.mark.parametrize(("view_name", "role"), TABLE, ids=[f"{view}-{role}" for view, role in TABLE])
def test_each_role_gets_exactly_its_access_to_each_queue_view(client, case, view_name, role):
    view = VIEWS[view_name]
    expected = view.expected[role]
    actor = act_as(client, role)
    url = view.url(case)
    members_before = set(case.desk.members.all())

    response = client.get(url) if view.method == "get" else client.post(url, view.data(case, actor))

    body = response.content.decode(errors="replace") if not response.streaming else ""
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    elif expected in (SHOWN, HIDDEN):
        assert response.status_code == 200
        assert (view.marker(case) in body) is (expected == SHOWN)
    elif expected == OK:
        assert response.status_code == 200
    elif expected == FILE:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == EVIDENCE.encode()  # decrypted as it is sent
        assert response["Content-Disposition"] == "attachment"
        assert "no-store" in response["Cache-Control"]
    elif expected == DENIED:
        assert response.status_code == 403
    elif expected == MISSING:
        if response.status_code == 302:
            assert response["Location"] == "/admin/"
            assert "exist. Perhaps it was deleted?" in client.get("/admin/").content.decode()
        else:
            assert response.status_code == 404
        assert case.submission.reference not in body
    elif expected == DECIDED:
        assert response.status_code == 302
        assert response["Location"] == f"{SUBMISSIONS}{case.submission.pk}/change/"
    elif expected == SAVED:
        assert response.status_code == 302, body[:3000]
        assert response["Location"] == "/admin/submissions/desk/"
    else:
        pytest.fail(f"no check for {expected}")

    case.submission.refresh_from_db()
    if view_name == "decide post":
        assert case.submission.status == (Status.ACCEPTED if expected == DECIDED else Status.QUEUED)
    if view_name == "desk membership change":
        members = set(case.desk.members.all())
        assert members == (members_before | {actor} if expected == SAVED else members_before)


def queue_page(client, query: str = "") -> str:
    response = client.get(f"{SUBMISSIONS}{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_desk_officer_sees_only_their_desks_submissions_in_the_queue(client):
    tajikistan = make_queued_submission(country="TJ")
    russia = make_queued_submission(country="RU")
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)

    page = queue_page(client)

    assert listed(tajikistan.reference) in page
    assert listed(russia.reference) not in page
    # Neither a search by reference nor a filter by the other desk brings it back.
    assert listed(russia.reference) not in queue_page(client, f"?q={russia.reference}")
    assert listed(russia.reference) not in queue_page(client, f"?desk__id__exact={russia.desk_id}")


def test_a_desk_officer_of_two_desks_sees_both(client):
    tajikistan = make_queued_submission(country="TJ")
    russia = make_queued_submission(country="RU")
    kenya = make_queued_submission(country="KE")
    officer = make_desk_officer("central-asia", "eastern-europe")
    login_staff(client, officer)

    page = queue_page(client)

    assert listed(tajikistan.reference) in page
    assert listed(russia.reference) in page
    assert listed(kenya.reference) not in page


def test_a_desk_officer_cannot_open_another_desks_submission(client):
    russia = make_queued_submission(country="RU")
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)

    change = client.get(f"{SUBMISSIONS}{russia.pk}/change/")
    decide = client.post(f"{SUBMISSIONS}{russia.pk}/decide/", {"decision": "accept"})

    assert change.status_code == 302
    assert decide.status_code == 404
    russia.refresh_from_db()
    assert russia.status == Status.QUEUED


def test_a_desk_officer_cannot_act_in_bulk_on_another_desks_submission(client):
    russia = make_queued_submission(country="RU")
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)

    client.post(SUBMISSIONS, {"action": "accept", "_selected_action": [str(russia.pk)], "index": "0"})

    russia.refresh_from_db()
    assert russia.status == Status.QUEUED


def test_a_desk_officer_cannot_mark_a_case_duplicate_of_another_desks_case(client):
    mine = make_queued_submission(country="TJ")
    theirs = make_queued_submission(country="RU")
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)

    response = client.post(
        f"{SUBMISSIONS}{mine.pk}/decide/", {"decision": "duplicate", "other_reference": theirs.reference}
    )

    assert response.status_code == 200
    assert "No submission you can see has this reference." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.QUEUED
    assert mine.duplicate_of is None


def test_a_rapporteur_reads_every_desk_but_cannot_act_in_bulk(client):
    russia = make_queued_submission(country="RU")
    tajikistan = make_queued_submission(country="TJ")
    login_staff(client, make_rapporteur())

    page = queue_page(client)
    response = client.post(SUBMISSIONS, {"action": "accept", "_selected_action": [str(russia.pk)], "index": "0"})

    assert listed(russia.reference) in page
    assert listed(tajikistan.reference) in page
    assert response.status_code == 403
    russia.refresh_from_db()
    assert russia.status == Status.QUEUED
