"""Objects made through the services, as the portal makes them."""

from submissions import services
from tests.support.intake import DEFENDER_NAME, NARRATIVE


def make_submission(**answers):
    values = {
        "source_name": "A. Source",
        "source_relationship": "witness",
        "contact_method": "receipt_only",
        "contact_safety": "unsafe",
        "violation_types": ["death_threats"],
        "current_situation": [],
        "country": "KZ",
        "place": "Almaty",
        "perpetrator_kind": "state",
        "perpetrators": "Police",
        "description": NARRATIVE,
        "current_risk": "Threats continue",
        "good_faith": True,
        "direct_knowledge": True,
        "media_only": False,
    }
    values.update(answers)
    defender = {
        "kind": "person",
        "name": DEFENDER_NAME,
        "gender": "woman",
        "age_group": "adult",
        "has_disability": "no",
        "country": "KZ",
        "region": "",
        "remote_area": False,
        "work_areas": ["journalism"],
        "work_description": "Journalist",
        "cooperated_with_un": "no",
    }
    submission, _receipt = services.submission_create(
        answers=values,
        defenders=[defender],
        consent={"contact_government": True, "public_naming": False, "written_consent": "written"},
        language="en",
    )
    return submission
