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


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Сотрудники полиции задержали его у дома", "business"),  # сотрудники holds "рудник"
        ("Сергей Петров защищает журналистов", "lgbti"),  # Сергей holds "гей"
        ("Её отвезли на лестничную площадку", "land_environment"),  # лестничную holds "лес"
        ("Il a été arrêté par un policier", "un_reprisals"),  # French "un"
        ("He hacked nothing; his skills are legal", "killing"),  # skills holds "kill"
        ("It is mine, she said", "business"),
    ],
)
def test_keyword_hints_read_words_not_substrings(text, flag):
    assert flag not in screening.keyword_hints([text], already=[])


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("работники рудника и шахтёры", "business"),
        ("он гей и открыто об этом говорит", "lgbti"),
        ("вырубка леса в горном кишлаке", "land_environment"),
        ("вырубка леса в горном кишлаке", "remote"),
        ("retaliation after she briefed the UN", "un_reprisals"),
        ("the killers were never found", "killing"),
        ("он был убит", "killing"),
        ("детей активистов вызывали на допрос", "child"),
    ],
)
def test_keyword_hints_find_every_form_of_the_word(text, flag):
    assert flag in screening.keyword_hints([text], already=[])


def test_keyword_hints_are_the_same_each_time():
    texts = ["Сотрудники компании угрожали экологу", "sentenced to prison"]

    assert screening.keyword_hints(texts, already=[]) == screening.keyword_hints(texts, already=[])


def test_a_patronymic_is_not_a_part_that_tells_people_apart():
    _, bekova = screening.name_keys("Aigerim Nurlanovna Bekova")
    _, sultanova = screening.name_keys("Айгерим Нурлановна Султанова")

    assert set(bekova) & set(sultanova) == {"aigerim"}
    assert screening.name_keys("Бекова Айгерим Нурлановна")[1] == bekova


@pytest.mark.parametrize("name", ["Нурлан Сергеевич Ахметов", "Nurlan Sergeyevich Akhmetov", "Ильинична"])
def test_patronymics_are_left_out_of_the_parts(name):
    assert not any(part.endswith(("ich", "ic", "na")) for part in screening.name_keys(name)[1])
