"""The draft form proposes a letter's type, recipient and language from the ticked cases, visibly and changeably,
without JavaScript: a "Propose" step, and choices left on "propose" taken from the cases when the draft is made."""

import re

import pytest

from communications.models import Communication
from communications.proposals import communication_propose
from tests.support.factories import make_accepted_submission
from tests.support.staff import login_staff, make_desk_officer

pytestmark = pytest.mark.django_db

ADD = "/admin/communications/communication/add/"


def past_conviction(**answers):
    """A non-urgent case: a conviction already handed down, a restriction of liberty; no threat going on."""
    values = {"violation_types": ["judicial_harassment", "travel_ban"], "current_situation": [], "country": "KZ"}
    return make_accepted_submission(**{**values, **answers})


def test_it_proposes_an_urgent_appeal_for_an_ongoing_detention():
    case = make_accepted_submission(
        country="TJ", violation_types=["arbitrary_detention"], current_situation=["detained"]
    )
    proposal = communication_propose([case])
    assert (proposal.kind, proposal.recipient, proposal.language) == ("UA", "TJK", "ru")
    assert "is detained now" in proposal.reasons["kind"]
    assert "Tajikistan" in proposal.reasons["recipient"]


def test_it_proposes_an_urgent_appeal_for_death_threats():
    case = make_accepted_submission(country="CO", violation_types=["death_threats"], current_situation=[])
    proposal = communication_propose([case])
    assert (proposal.kind, proposal.recipient, proposal.language) == ("UA", "COL", "es")


def test_it_proposes_an_allegation_letter_when_nothing_is_ongoing():
    cases = [past_conviction(), past_conviction(violation_types=["registration_funding"])]
    proposal = communication_propose(cases)
    assert (proposal.kind, proposal.recipient, proposal.language) == ("AL", "KAZ", "ru")


def test_it_proposes_oth_when_only_non_state_actors_are_responsible():
    case = past_conviction(country="SN", perpetrator_kind="non_state", violation_types=["physical_attack"])
    proposal = communication_propose([case])
    assert (proposal.kind, proposal.recipient, proposal.language) == ("AL", "OTH", "fr")
    assert "non-State" in proposal.reasons["recipient"]


def test_a_state_shares_the_blame_so_the_state_receives_the_letter():
    case = past_conviction(country="GB", perpetrator_kind="both")
    assert communication_propose([case]).recipient == "GBR"
    assert communication_propose([case]).language == "en"


def test_nothing_is_proposed_without_cases():
    assert communication_propose([]) is None


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def test_the_propose_step_shows_each_proposal_with_its_reason_and_keeps_the_ticked_cases(client):
    officer = make_desk_officer("central-asia")
    calm, other = past_conviction(), past_conviction()
    login_staff(client, officer)

    page = client.post(ADD, {"submissions": [calm.pk], "propose": "Propose", "recipient_name": "", "copies_to": "UZB"})

    assert page.status_code == 200
    html = page.content.decode()
    assert (selected(html, "kind"), selected(html, "recipient"), selected(html, "language")) == ("AL", "KAZ", "ru")
    assert "Proposed. Allegation letter" in html
    assert re.search(rf'value="{calm.pk}"[^>]*checked', html)
    assert not re.search(rf'value="{other.pk}"[^>]*checked', html)
    assert 'value="UZB"' in html  # what was typed is kept
    assert not Communication.objects.exists()


def test_the_case_picker_tells_the_cases_apart(client):
    officer = make_desk_officer("central-asia")
    case = make_accepted_submission(country="TJ", current_situation=["detained"])
    login_staff(client, officer)
    html = client.get(ADD).content.decode()
    label = re.search(rf'value="{case.pk}"[^>]*>\s*(.*?)</label>', html, re.S).group(1)
    assert case.reference in label
    assert "Tajikistan" in label and "URGENT" in label and "Death threats" in label
    assert "U. M." in label  # the defender's initials, never the name
    assert "Mamadshoeva" not in html


def test_choices_left_on_propose_are_taken_from_the_cases_and_a_choice_made_is_kept(client):
    officer = make_desk_officer("central-asia")
    case = past_conviction()
    login_staff(client, officer)

    response = client.post(ADD, {"submissions": [case.pk], "kind": "", "recipient": "", "language": "en"})

    assert response.status_code == 302, response.content.decode()[:2000]
    communication = Communication.objects.get()
    assert (communication.kind, communication.recipient, communication.language) == ("AL", "KAZ", "en")
    assert communication.recipient_name == "Kazakhstan"


def test_a_proposed_non_state_recipient_still_needs_its_name(client):
    officer = make_desk_officer("central-asia")
    case = past_conviction(perpetrator_kind="non_state")
    login_staff(client, officer)

    response = client.post(ADD, {"submissions": [case.pk], "kind": "", "recipient": "", "language": ""})

    assert response.status_code == 200
    assert "Name the company or group." in response.content.decode()
    assert not Communication.objects.exists()
