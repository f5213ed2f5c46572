"""A letter's page names only what its reader's desks may know: the cases, and the letters before and after it."""

import pytest
from django.core.cache import cache

from communications import services
from tests.support.factories import make_accepted_submission, make_sent_communication
from tests.support.staff import login_staff, make_desk_officer, make_rapporteur

pytestmark = pytest.mark.django_db

PAGE = "/admin/communications/communication/{}/change/"


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


@pytest.fixture
def letters():
    """A letter about a Kazakh and a Russian case, following up an earlier letter about a Russian case only."""
    kazakh, russian = make_accepted_submission(country="KZ"), make_accepted_submission(country="RU")
    earlier = make_sent_communication(submissions=[make_accepted_submission(country="RU")], recipient="RUS")
    author = make_desk_officer("central-asia", "eastern-europe")
    letter, _ = services.communication_draft(
        submissions=[kazakh, russian], kind="AL", recipient="KAZ", recipient_name="Kazakhstan", language="en",
        by=author, follow_up_to=earlier,
    )  # fmt: skip
    return {"kazakh": kazakh, "russian": russian, "earlier": earlier, "letter": letter}


def test_a_desk_officer_sees_only_their_desks_cases_and_letters(client, letters):
    login_staff(client, make_desk_officer("central-asia"))

    page = client.get(PAGE.format(letters["letter"].pk)).content.decode()

    assert letters["kazakh"].reference in page
    assert letters["russian"].reference not in page
    assert letters["earlier"].reference not in page
    assert "[another desk&#x27;s letter]" in page or "[another desk's letter]" in page


def test_the_rapporteur_sees_every_desk(client, letters):
    login_staff(client, make_rapporteur())

    page = client.get(PAGE.format(letters["letter"].pk)).content.decode()

    assert letters["kazakh"].reference in page and letters["russian"].reference in page
    assert letters["earlier"].reference in page


def test_the_draft_form_offers_follow_ups_of_ones_own_desks_only(client, letters):
    login_staff(client, make_desk_officer("central-asia"))
    page = client.get("/admin/communications/communication/add/").content.decode()
    assert letters["earlier"].reference not in page
