"""Fictional demo cases for `manage.py seed_demo`: one per status.

Every name, place and event here is invented.
"""

import datetime

from django.contrib.auth import get_user_model

from portal import roles
from submissions import services
from submissions.models import Desk, Message, Status, Submission

# The desk of the demo cases (all in Central Asia), which the demo desk officer works at.
DEMO_DESK = "central-asia"

_CASES = [
    {
        "status": Status.RECEIVED,
        "name": "Zarina Yusupova (fictional)",
        "country": "TJ",
        "place": "Khujand",
        "violation_types": ["arbitrary_detention", "judicial_harassment"],
        "current_situation": ["detained", "trial_imminent"],
        "work": "Lawyer defending journalists in freedom of expression cases.",
        "work_areas": ["legal", "journalism"],
        "gender": "woman",
    },
    {
        "status": Status.QUEUED,
        "name": "Erlan Abdykadyrov (fictional)",
        "country": "KG",
        "place": "Osh",
        "violation_types": ["death_threats", "online_attacks"],
        "current_situation": ["death_threats"],
        "work": "Investigative reporter on public procurement.",
        "work_areas": ["journalism", "anti_corruption"],
        "gender": "man",
    },
    {
        "status": Status.IN_REVIEW,
        "name": "Aigerim Nurlanovna (fictional)",
        "country": "KZ",
        "place": "Zhanaozen",
        "violation_types": ["surveillance", "family_harassment"],
        "current_situation": [],
        "work": "Labour rights organiser for oil workers.",
        "work_areas": ["business"],
        "gender": "woman",
    },
    {
        "status": Status.INFO_REQUESTED,
        "name": "Rustam Tashkentov (fictional)",
        "country": "UZ",
        "place": "Nukus",
        "violation_types": ["travel_ban"],
        "current_situation": [],
        "work": "Documents forced labour in cotton harvests.",
        "work_areas": ["business", "civil_political"],
        "gender": "man",
    },
    {
        "status": Status.ACCEPTED,
        "name": "Green Steppe Initiative (fictional)",
        "kind": "organisation",
        "country": "KZ",
        "place": "Almaty",
        "violation_types": ["registration_funding", "raids"],
        "current_situation": [],
        "work": "Environmental NGO opposing a mining concession on pastureland.",
        "work_areas": ["environment"],
        "gender": "undisclosed",
    },
    {
        "status": Status.COMMUNICATION_SENT,
        "name": "Gulnora Saidova (fictional)",
        "country": "TM",
        "place": "Dashoguz",
        "violation_types": ["arbitrary_detention", "torture"],
        "current_situation": ["detained", "health_in_detention"],
        "work": "Reports on prison conditions to UN treaty bodies.",
        "work_areas": ["civil_political"],
        "gender": "woman",
    },
    {
        "status": Status.NOT_ADMISSIBLE,
        "name": "Timur Beknazarov (fictional)",
        "country": "TJ",
        "place": "Dushanbe",
        "violation_types": ["other"],
        "current_situation": [],
        "work": "Business dispute with a former partner.",
        "work_areas": ["other"],
        "gender": "man",
    },
    {
        "status": Status.DUPLICATE,
        "name": "Zarina Yusupova (fictional)",
        "country": "TJ",
        "place": "Khujand",
        "violation_types": ["arbitrary_detention"],
        "current_situation": ["detained"],
        "work": "Lawyer.",
        "work_areas": ["legal"],
        "gender": "woman",
    },
    {
        "status": Status.CLOSED,
        "name": "Nodira Azimova (fictional)",
        "country": "UZ",
        "place": "Andijan",
        "violation_types": ["un_reprisals"],
        "current_situation": [],
        "work": "Women's rights activist who spoke at the Human Rights Council.",
        "work_areas": ["women"],
        "gender": "woman",
    },
]


def _answers(case: dict) -> dict:
    return {
        "source_name": "Demo source (fictional)",
        "source_relationship": "organisation",
        "source_relationship_detail": "Colleague at a partner organisation",
        "contact_method": "signal",
        "contact_details": "+000 0000 0000 (fictional)",
        "contact_safety": "careful",
        "notify_email": "",
        "violation_types": case["violation_types"],
        "violation_other": "Unclear dispute" if "other" in case["violation_types"] else "",
        "current_situation": case["current_situation"],
        "incident_date": datetime.date(2026, 10, 2),
        "incident_dates_detail": "",
        "country": case["country"],
        "place": case["place"],
        "perpetrator_kind": "state",
        "perpetrators": "Regional police department (fictional)",
        "description": f"Demo narrative: {case['name']} was targeted after public statements. All invented.",
        "current_risk": "The risk continues (demo).",
        "steps_taken": "Complaint to the prosecutor, no answer.",
        "good_faith": True,
        "direct_knowledge": True,
        "media_only": False,
    }


def _defender(case: dict) -> dict:
    return {
        "kind": case.get("kind", "person"),
        "name": case["name"],
        "gender": case["gender"],
        "age_group": "adult",
        "has_disability": "unknown",
        "country": case["country"],
        "region": case["place"],
        "remote_area": False,
        "work_areas": case["work_areas"],
        "work_description": case["work"],
        "cooperated_with_un": "yes" if "un_reprisals" in case["violation_types"] else "unknown",
    }


def demo_case(case: dict, *, status: Status, staff=None) -> Submission:
    """One fictional case, moved to `status` as staff would have moved it."""
    submission, _receipt = services.submission_create(
        answers=_answers(case),
        defenders=[_defender(case)],
        consent={
            "contact_government": True,
            "public_naming": case["gender"] != "woman",
            "written_consent": "written",
        },
        language="en",
    )
    if status != Status.RECEIVED:
        services.submission_status_change(
            submission=submission,
            to_status=status,
            from_statuses=[Status.RECEIVED],
            actor="staff",
            changed_by=staff,
            reason="Demo data",
        )
    if status == Status.INFO_REQUESTED:
        Message.objects.create(
            submission=submission,
            direction=Message.Direction.TO_SOURCE,
            body="Could you tell us the date of the first summons? (demo)",
            author=staff,
        )
    return submission


def seed(*, staff=None) -> int:
    """Create the demo cases unless demo data exists; returns how many were made.

    A desk officer without a desk (the demo account seed_demo creates) joins the demo desk: a desk officer
    sees only the queues of their desks.
    """
    users = get_user_model().objects
    Desk.objects.get(code=DEMO_DESK).members.add(*users.filter(groups__name=roles.DESK_OFFICER, desks=None))
    if Submission.objects.exists():
        return 0
    staff = staff or users.filter(is_superuser=True).first()
    for case in _CASES:
        demo_case(case, status=case["status"], staff=staff)
    return len(_CASES)


CASES = _CASES
