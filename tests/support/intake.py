"""A complete case as the intake form posts it, with values easy to search for."""

import time

from submissions.limits import form_token_new

SOURCE_NAME = "Malika Sourcenova"
DEFENDER_NAME = "Ulfathonim Mamadshoeva"
SECOND_DEFENDER_NAME = "Бахтиёр Адвокатов"
NARRATIVE = "Taken from her flat at dawn by masked officers of the regional police"
CONTACT = "signal-contact-8899"
PLACE = "Khorog, Gorno-Badakhshan"
# People the source asks never to be named, as typed: one per line, with stray spaces and a blank line.
CONFIDENTIAL_PEOPLE = ["Gulnora Witnessova", "Ismoil Brotherov"]
CONFIDENTIAL_TYPED = " Gulnora   Witnessova \n\nIsmoil Brotherov\n"

PERSONAL_VALUES = [SOURCE_NAME, DEFENDER_NAME, SECOND_DEFENDER_NAME, NARRATIVE, CONTACT, PLACE, *CONFIDENTIAL_PEOPLE]


def report_data(*, defenders: int = 1, **overrides) -> dict:
    data = {
        # A form fetched a minute ago: past the minimum fill time, and new for every report.
        "token": form_token_new(issued_at=time.time() - 60),
        "source-source_name": SOURCE_NAME,
        "source-source_relationship": "family",
        "source-source_relationship_detail": "Sister",
        "source-contact_method": "signal",
        "source-contact_details": CONTACT,
        "source-contact_safety": "careful",
        "source-notify_email": "",
        "defender-TOTAL_FORMS": str(defenders),
        "defender-INITIAL_FORMS": "0",
        "defender-MIN_NUM_FORMS": "1",
        "defender-MAX_NUM_FORMS": "30",
        "incident-violation_types": ["arbitrary_detention", "torture"],
        "incident-violation_other": "",
        "incident-current_situation": ["detained"],
        "incident-incident_date": "2026-11-20",
        "incident-incident_dates_detail": "",
        "incident-country": "TJ",
        "incident-place": PLACE,
        "incident-perpetrator_kind": "state",
        "incident-perpetrators": "Regional department of the interior ministry",
        "incident-description": NARRATIVE,
        "incident-current_risk": "Held incommunicado, denied a lawyer",
        "incident-steps_taken": "Complaint to the prosecutor",
        "incident-confidential_people": CONFIDENTIAL_TYPED,
        "consent-contact_government": "yes",
        "consent-public_naming": "no",
        "consent-written_consent": "written",
        "consent-good_faith": "on",
        "consent-direct_knowledge": "on",
        "consent-media_only": "no",
        "consent-website": "",
    }
    names = [DEFENDER_NAME, SECOND_DEFENDER_NAME]
    for index in range(defenders):
        data.update(
            {
                f"defender-{index}-kind": "person",
                f"defender-{index}-name": names[index % 2],
                f"defender-{index}-gender": "woman",
                f"defender-{index}-age_group": "adult",
                f"defender-{index}-has_disability": "no",
                f"defender-{index}-country": "TJ",
                f"defender-{index}-region": "GBAO",
                f"defender-{index}-work_areas": ["journalism", "minorities"],
                f"defender-{index}-work_description": "Reports on the rights of the Pamiri minority",
                f"defender-{index}-cooperated_with_un": "yes",
            }
        )
    data.update(overrides)
    return data


def submit_case(client, **overrides):
    """Post the whole flow (report, review, submit) and return the final response."""
    data = report_data(**overrides)
    response = client.post("/submit/", {**data, "action": "review"})
    assert response.status_code == 200, response.content.decode()[:2000]
    return client.post("/submit/", {**data, "action": "submit"})
