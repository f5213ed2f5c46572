"""Fictional demo cases for `manage.py seed_demo`: every open and closed state on every desk, and the
accepted cases that communications.demo writes its letters about.

Every name, place name aside, and every event here is invented; each person's and organisation's name
says "(fictional)". Cases are made as a source and staff would make them, through the services:
the source's report (submission_create), the screening the worker would do (submission_screen, run
here at once so that the queues are filled before the worker starts), and the staff decisions.
"""

import dataclasses
import datetime
import random

from django.contrib.auth import get_user_model

from portal import roles
from submissions import services
from submissions.models import Desk, InadmissibleReason, Status, Submission

# The desk that the demo cases of the first version lived on; the demo desk officer works on every desk.
DEMO_DESK = "central-asia"

# The invented parts of names, by the language of the region; a name is "<given> <family> (fictional)".
_GIVEN = {
    "ru": {
        "woman": ["Zarina", "Aigerim", "Gulnora", "Nodira", "Dilnoza", "Madina", "Saule", "Olga", "Irina", "Leyla"],
        "man": ["Erlan", "Rustam", "Timur", "Bakhtiyor", "Nurlan", "Azamat", "Farrukh", "Pavel", "Anton", "Rauf"],
    },
    "es": {
        "woman": ["Lucía", "Marisol", "Rosalba", "Yaneth", "Dolores", "Ximena"],
        "man": ["Ernesto", "Wilmer", "Anselmo", "Rigoberto", "Julián", "Efraín"],
    },
    "fr": {
        "woman": ["Aminata", "Clarisse", "Nadège", "Mireille", "Salma"],
        "man": ["Didier", "Prosper", "Olivier", "Karim", "Fabrice"],
    },
    "en": {
        "woman": ["Mary Ann", "Wanjiru", "Nilar", "Salma", "Rosario", "Tamar", "Mina"],
        "man": ["Joseph", "Kyaw", "Otieno", "Hossam", "Levan", "Danilo", "Reynaldo"],
    },
}
_FAMILY = {
    "ru": ["Yusupova", "Saidova", "Nurlanova", "Azimova", "Beknazarova", "Karimova", "Abdykadyrova", "Sokolova"],
    "es": ["Quintero", "Arbeláez", "Mosquera", "Villatoro", "Cienfuegos", "Baquedano"],
    "fr": ["Mbala", "Kabongo", "Ben Salah", "Nzeza", "Trabelsi"],
    "en": ["Dimaculangan", "Kamau", "Thant", "Abdelrahman", "Beridze", "Oduya", "Villareal"],
}

_ORGANISATIONS = [
    "Green Steppe Initiative",
    "Kestrel Legal Clinic",
    "Open Valley Media Collective",
    "River Guardians Network",
    "Saffron Justice Circle",
    "Rainbow Hotline",
    "Land and Water Alliance",
]

# Answers the report gives in the source's language; third person, with nothing of the source in them.
_TEXTS = {
    "en": {
        "perpetrators": "Officers of the regional police department",
        "company": "Private security guards of a mining company",
        "risk": "The defender continues to receive threats",
        "steps": "A complaint was filed with the prosecutor, without answer",
    },
    "ru": {
        "perpetrators": "Сотрудники областного управления полиции",
        "company": "Частная охрана горнодобывающей компании",
        "risk": "Правозащитнику по-прежнему поступают угрозы",
        "steps": "Подана жалоба в прокуратуру, ответа нет",
    },
    "es": {
        "perpetrators": "Agentes de la policía departamental",
        "company": "Guardias de seguridad privada de una empresa minera",
        "risk": "La persona defensora sigue recibiendo amenazas",
        "steps": "Se presentó una denuncia ante la fiscalía, sin respuesta",
    },
    "fr": {
        "perpetrators": "Des agents de la police régionale",
        "company": "Des gardes de sécurité privés d'une société minière",
        "risk": "La personne défenseure continue de recevoir des menaces",
        "steps": "Une plainte a été déposée auprès du procureur, sans réponse",
    },
}

# (alpha-2 code, language of the report, places)
COUNTRIES = {
    "KZ": ("ru", ["Almaty", "Zhanaozen", "Aktau", "Shymkent"]),
    "KG": ("ru", ["Osh", "Bishkek", "Jalal-Abad"]),
    "TJ": ("ru", ["Khujand", "Dushanbe", "Khorog"]),
    "TM": ("ru", ["Dashoguz", "Ashgabat", "Mary"]),
    "UZ": ("ru", ["Nukus", "Andijan", "Tashkent"]),
    "RU": ("ru", ["Kazan", "Perm", "Makhachkala"]),
    "BY": ("ru", ["Minsk", "Gomel", "Brest"]),
    "AZ": ("ru", ["Baku", "Ganja"]),
    "GE": ("en", ["Tbilisi", "Batumi"]),
    "PH": ("en", ["Davao", "Negros Oriental", "Quezon City"]),
    "MM": ("en", ["Sagaing", "Yangon"]),
    "EG": ("en", ["Cairo", "Alexandria"]),
    "TN": ("fr", ["Tunis", "Sfax"]),
    "CD": ("fr", ["Goma", "Bukavu", "Kinshasa"]),
    "KE": ("en", ["Nairobi", "Lamu"]),
    "CO": ("es", ["Cauca", "Antioquia", "Bogotá"]),
    "MX": ("es", ["Guerrero", "Oaxaca", "Chihuahua"]),
    "HN": ("es", ["Atlántida", "Tegucigalpa"]),
    "RS": ("en", ["Belgrade", "Novi Sad"]),
}

# What happened: violation types, the current situation, work areas. The first ones are urgent (UA).
_PATTERNS = [
    (["arbitrary_detention", "judicial_harassment"], ["detained", "trial_imminent"], ["legal", "journalism"]),
    (["death_threats", "online_attacks"], ["death_threats"], ["journalism", "anti_corruption"]),
    (["arbitrary_detention", "torture"], ["detained", "health_in_detention"], ["civil_political"]),
    (["disappearance"], ["disappeared"], ["environment"]),
    (["physical_attack", "death_threats"], ["death_threats"], ["environment", "minorities"]),
    (["surveillance", "family_harassment"], [], ["business"]),
    (["travel_ban"], [], ["civil_political"]),
    (["registration_funding", "raids"], [], ["women"]),
    (["judicial_harassment"], [], ["lgbti"]),
    (["online_attacks"], [], ["women", "journalism"]),
    (["un_reprisals", "travel_ban"], [], ["civil_political"]),
    (["raids", "registration_funding"], [], ["migrants"]),
]


@dataclasses.dataclass
class DemoCase:
    country: str
    place: str
    language: str
    name: str
    gender: str
    violation_types: list[str]
    current_situation: list[str]
    work_areas: list[str]
    kind: str = "person"
    perpetrator_kind: str = "state"
    incident_date: datetime.date | None = None
    contact_government: bool = True
    public_naming: bool = True
    work: str = "Human rights work documented by the office (demo)."
    extra: dict = dataclasses.field(default_factory=dict)


def _person_name(rng: random.Random, language: str, gender: str) -> str:
    given = rng.choice(_GIVEN[language][gender])
    family = rng.choice(_FAMILY[language])
    if gender == "man" and family.endswith("ova"):
        family = family.removesuffix("a")  # Yusupova, Yusupov: the family name follows the person's gender
    return f"{given} {family} (fictional)"


def demo_case_for(
    rng: random.Random,
    country: str,
    *,
    pattern: int | None = None,
    incident_date: datetime.date | None = None,
    non_state: bool = False,
) -> DemoCase:
    """An invented case in `country`, drawn from `rng` (so the same seed gives the same demo)."""
    language, places = COUNTRIES[country]
    violations, situation, areas = _PATTERNS[rng.randrange(len(_PATTERNS)) if pattern is None else pattern]
    organisation = rng.random() < 0.12
    gender = "undisclosed" if organisation else rng.choice(["woman", "man"])
    name = f"{rng.choice(_ORGANISATIONS)} (fictional)" if organisation else _person_name(rng, language, gender)
    return DemoCase(
        country=country,
        place=rng.choice(places),
        language=language,
        name=name,
        gender=gender,
        kind="organisation" if organisation else "person",
        violation_types=list(violations),
        current_situation=list(situation),
        work_areas=list(areas),
        perpetrator_kind="non_state" if non_state else "state",
        incident_date=incident_date,
        # Most agree to both; some only to the government, a few to neither (the letter gives initials).
        contact_government=rng.random() > 0.05,
        public_naming=rng.random() > 0.35,
    )


def _answers(case: DemoCase) -> dict:
    texts = _TEXTS[case.language]
    return {
        "source_name": "Demo source (fictional)",
        "source_relationship": "organisation",
        "source_relationship_detail": "Colleague at a partner organisation",
        "contact_method": "signal",
        "contact_details": "+000 0000 0000 (fictional)",
        "contact_safety": "careful",
        "notify_email": "",
        "violation_types": case.violation_types,
        "violation_other": "",
        "current_situation": case.current_situation,
        "incident_date": case.incident_date or datetime.date(2026, 10, 2),
        "incident_dates_detail": "",
        "country": case.country,
        "place": case.place,
        "perpetrator_kind": case.perpetrator_kind,
        "perpetrators": texts["company" if case.perpetrator_kind == "non_state" else "perpetrators"],
        "description": f"Demo narrative: {case.name} was targeted after public statements. All invented.",
        "current_risk": texts["risk"] if case.current_situation else "",
        "steps_taken": texts["steps"],
        "good_faith": True,
        "direct_knowledge": True,
        "media_only": False,
        **case.extra,
    }


def _defender(case: DemoCase) -> dict:
    return {
        "kind": case.kind,
        "name": case.name,
        "gender": case.gender,
        "age_group": "adult",
        "has_disability": "unknown",
        "country": case.country,
        "region": case.place,
        "remote_area": False,
        "work_areas": case.work_areas,
        "work_description": case.work,
        "cooperated_with_un": "yes" if "un_reprisals" in case.violation_types else "unknown",
    }


def demo_case(case: DemoCase, *, status: Status, staff=None, original: Submission | None = None) -> Submission:
    """One fictional case, reported, screened into its desk's queue and moved to `status` as staff would."""
    submission, _receipt = services.submission_create(
        answers=_answers(case),
        defenders=[_defender(case)],
        consent={
            "contact_government": case.contact_government,
            "public_naming": case.public_naming,
            "written_consent": "written",
        },
        language=case.language,
    )
    if status == Status.RECEIVED:
        return submission  # the worker screens it when it starts
    services.submission_screen(submission_id=submission.pk)  # what the worker does; the queued task then finds it done
    submission.refresh_from_db()
    if status == Status.QUEUED:
        return submission
    if status == Status.IN_REVIEW:
        services.submission_assign(submission=submission, assignee=staff, by=staff)
    elif status == Status.INFO_REQUESTED:
        services.submission_request_information(
            submission=submission, by=staff, question="Could you tell us the date of the first summons? (demo)"
        )
    elif status in (Status.ACCEPTED, Status.COMMUNICATION_SENT):
        # COMMUNICATION_SENT comes from sending a letter (communications.demo); the case is accepted here.
        services.submission_accept(submission=submission, by=staff, reason="Demo data")
    elif status == Status.NOT_ADMISSIBLE:
        services.submission_reject(
            submission=submission, by=staff, reason=InadmissibleReason.OUTSIDE_MANDATE, note="Demo data"
        )
    elif status == Status.DUPLICATE:
        services.submission_mark_duplicate(submission=submission, original=original, by=staff)
    elif status == Status.CLOSED:
        services.submission_status_change(
            submission=submission, to_status=Status.CLOSED, from_statuses=services.OPEN_STATUSES, actor="staff",
            changed_by=staff, reason="Demo data: the defender was released, nothing more to do",
        )  # fmt: skip
    return submission


# The states of the desk queues that each desk shows (COMMUNICATION_SENT comes with the demo letters).
QUEUE_STATES = [
    Status.QUEUED,
    Status.IN_REVIEW,
    Status.INFO_REQUESTED,
    Status.ACCEPTED,
    Status.NOT_ADMISSIBLE,
    Status.DUPLICATE,
    Status.CLOSED,
]
# One country of each desk, for its queue (submissions/migrations/0003_seed_desks.py).
DESK_COUNTRIES = {
    "central-asia": "TJ",
    "eastern-europe": "BY",
    "asia-pacific": "PH",
    "mena": "EG",
    "africa": "CD",
    "americas": "CO",
    "europe": "RS",
}


def desk_staff():
    """The staff member the demo's decisions are recorded as: the demo desk officer, else a superuser."""
    users = get_user_model().objects
    return (
        users.filter(groups__name=roles.DESK_OFFICER).order_by("pk").first() or users.filter(is_superuser=True).first()
    )


def seed(*, staff=None) -> int:
    """Create the demo cases unless demo data exists; returns how many were made.

    A desk officer without a desk (the demo account seed_demo creates) joins every desk: a desk officer
    sees only the queues of their desks, and the demo shows them all.
    """
    users = get_user_model().objects
    without_desk = list(users.filter(groups__name=roles.DESK_OFFICER, desks=None))
    for desk in Desk.objects.all():
        desk.members.add(*without_desk)
    if Submission.objects.exists():
        return 0
    staff = staff or desk_staff()
    rng = random.Random(15)  # noqa: S311 (invented data, no secret)
    made = 0
    for country in DESK_COUNTRIES.values():
        first, first_case = None, None
        for status in QUEUE_STATES:
            case = demo_case_for(rng, country, pattern=0 if status == Status.QUEUED else None)
            if status == Status.DUPLICATE:
                case = dataclasses.replace(first_case, work="The same defender, reported again (demo).")
            submission = demo_case(case, status=status, staff=staff, original=first)
            first, first_case = first or submission, first_case or case
            made += 1
    # Two reports the worker has not screened yet: they reach their queues when it starts.
    for country in ("KG", "MX"):
        demo_case(demo_case_for(rng, country), status=Status.RECEIVED, staff=staff)
        made += 1
    return made
