"""The screening rules, as pure functions of a submission's answers."""

from types import SimpleNamespace

import pytest

from submissions import screening


def submission(**answers):
    values = {
        "perpetrators": "Police",
        "incident_date": None,
        "incident_dates_detail": "In October",
        "place": "Osh",
        "description": "Detained after a press conference",
        "current_risk": "Held incommunicado",
        "contact_method": "signal",
        "contact_details": "+996 555 000",
        "violation_types": ["arbitrary_detention"],
        "current_situation": [],
    }
    values.update(answers)
    return SimpleNamespace(**values)


def defender(**answers):
    values = {
        "name": "Azimjan Askarov",
        "work_description": "Documents police abuse",
        "gender": "man",
        "age_group": "adult",
        "has_disability": "no",
        "remote_area": False,
        "work_areas": ["civil_political"],
        "cooperated_with_un": "unknown",
    }
    values.update(answers)
    return SimpleNamespace(**values)


def consent(**answers):
    return SimpleNamespace(**{"withdrawn": False, "written_consent": "written", **answers})


def test_a_complete_submission_misses_nothing():
    assert screening.missing_elements(submission(), [defender()], consent()) == []


@pytest.mark.parametrize(
    ("changes", "defender_changes", "consent_value", "missing"),
    [
        ({"perpetrators": " "}, {}, consent(), ["perpetrator"]),
        ({"incident_dates_detail": ""}, {}, consent(), ["date"]),
        ({"contact_method": "receipt_only", "contact_details": ""}, {}, consent(), ["source_contact"]),
        ({}, {"work_description": ""}, consent(), ["work"]),
        ({}, {}, consent(written_consent="not_yet"), ["consent"]),
        ({}, {}, consent(withdrawn=True), ["consent"]),
        ({}, {}, None, ["consent"]),
    ],
)
def test_each_missing_element_is_named(changes, defender_changes, consent_value, missing):
    result = screening.missing_elements(submission(**changes), [defender(**defender_changes)], consent_value)

    assert result == missing


def test_priority_flags_come_from_the_structured_answers():
    flags = screening.priority_flags(
        submission(violation_types=["killing", "online_attacks", "un_reprisals"]),
        [
            defender(gender="woman", age_group="child", has_disability="yes", remote_area=True,
                     work_areas=["lgbti", "environment", "anti_corruption", "migrants", "business"],
                     cooperated_with_un="yes"),
        ],
    )  # fmt: skip

    assert flags == sorted(
        [
            "killing", "online_attacks", "un_reprisals", "women", "child", "disability", "remote", "lgbti",
            "land_environment", "anti_corruption", "migrants", "business",
        ]
    )  # fmt: skip


def test_a_plain_case_has_only_the_flags_it_earns():
    assert screening.priority_flags(submission(violation_types=["surveillance"]), [defender()]) == []


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("He was shot dead near his home", "killing"),
        ("Его убили у дома", "killing"),
        ("Sentenced to 12 years in prison", "imprisonment"),
        ("приговорён к 12 годам лишения свободы", "imprisonment"),
        ("A smear campaign on social media", "online_attacks"),
        ("травля в соцсетях", "online_attacks"),
        ("the mining company sent guards", "business"),
        ("охрана горнодобывающей компании", "business"),
        ("she defends LGBT people", "lgbti"),
        ("защищает права ЛГБТ", "lgbti"),
        ("a 15-year-old school student", "child"),
        ("несовершеннолетний активист", "child"),
        ("asylum seekers at the border", "migrants"),
        ("помогает беженцам", "migrants"),
        ("protests against the pasture land grab", "land_environment"),
        ("экологический активист", "land_environment"),
        ("exposed bribes at the ministry", "anti_corruption"),
        ("разоблачил коррупцию", "anti_corruption"),
        ("after she spoke at the Human Rights Council", "un_reprisals"),
        ("после выступления в ООН", "un_reprisals"),
    ],
)
def test_keyword_hints_are_found_in_english_and_russian(text, flag):
    assert flag in screening.keyword_hints([text], already=[])


def test_keyword_hints_leave_out_flags_already_set():
    assert screening.keyword_hints(["sentenced to prison"], already=["imprisonment"]) == []


@pytest.mark.parametrize("situation", sorted(screening.URGENT_SITUATIONS))
def test_each_ongoing_or_imminent_risk_makes_an_urgent_appeal_candidate(situation):
    assert screening.is_urgent(submission(current_situation=[situation]))


def test_a_past_violation_without_ongoing_risk_is_not_urgent():
    assert not screening.is_urgent(submission(violation_types=["raids"], current_situation=[]))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Аскаров", "Askarov"),
        ("Ульфатхоним Мамадшоева", "Ulfathonim Mamadshoeva"),
        ("Мамадшоева Ульфатхоним", "Ulfathonim Mamadshoeva"),
        ("Ulfatkhonim Mamadshoyeva", "Ulfathonim Mamadshoeva"),
        ("Азимжан Аскаров", "Azimjan Askarov"),
        ("Джамшед Юсупов", "Dzhamshed Yusupov"),
        ("Қосимов", "Kosimov"),
        ("Алиев", "Aliyev"),
        ("Gülnara Şahinova", "Gulnara Sahinova"),
    ],
)
def test_one_name_across_spellings_and_scripts_gives_the_same_keys(one, other):
    assert screening.name_keys(one) == screening.name_keys(other)


@pytest.mark.parametrize(("one", "other"), [("Askarov", "Ismailov"), ("Mamadshoeva", "Mamadaliev")])
def test_different_names_give_different_keys(one, other):
    assert screening.name_keys(one)[0] != screening.name_keys(other)[0]
