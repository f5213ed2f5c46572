"""The name gate: protected names found in every form, script and format; nothing else."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communications.names import Hit, Protected, find_names, first_person_sentences, in_context, marked
from tests.communications import name_samples as samples

ANNA = Protected.person("defender 1", "Анна Иванова")


def found(text: str, *protected: Protected) -> list[str]:
    return [hit.found_text for hit in find_names(text, protected or (ANNA,))]


# --- The forms of the issue ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Задержание Анны Ивановой",
        "Ивановой угрожали",
        "Анне сказали, что дело закрыто",
        "the defender (Ivanovoy) was held",
        "Ivanovoi and Ivanovoj",
        "An<em>na</em> Iva<strong>nova</strong> was detained",
        "Ива\u200bнова",
        "Ив\u200dанов\u00adа",
        "Иван&#1086;ва",
        "Ивaнова with a Latin a",
        "ИВАНОВА",
        "анны ивановой",
        "Ivanova's lawyer",
        "Anna Ivanova",
        "семья Ивановых",
        "Иванов, её муж",
        "Ива́новой",
        '<a title="Анна Иванова" href="#">the defender</a>',
    ],
)
def test_it_finds_the_name_in_every_form_script_and_disguise(text):
    assert found(text)


def test_it_finds_a_latin_protected_name_written_in_cyrillic_and_declined():
    protected = Protected.person("the source", "Ulfatkhonim Mamadshoeva")

    assert found("Г-жа Ульфатхоним Мамадшоева", protected) == ["Ульфатхоним Мамадшоева"]
    assert found("у Мамадшоевой", protected) == ["Мамадшоевой"]
    assert found("Ulfathonim Mamadshoyeva", protected) == ["Ulfathonim Mamadshoyeva"]


def test_adjacent_parts_of_one_name_are_one_hit_with_offsets_into_the_original():
    text = "Задержание Анны Ивановой."

    (hit,) = find_names(text, [ANNA])

    assert (hit.start, hit.end) == (11, 24)
    assert text[hit.start : hit.end] == hit.found_text == "Анны Ивановой"
    assert hit.protected_label == "defender 1"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Нурлан Ахметұлы", "Ахметулы был задержан"),
        ("Nurlan Akhmetuly", "Ахметұлы был задержан"),
        ("Бакыт Асан уулу", "Бакыту Асан уулу угрожали"),
        ("Рахмонзода Шохрух", "в отношении Рахмонзоды"),
        ("Rahmonzoda Shohrukh", "Rakhmonzade"),
        ("Aigerim Nurlanovna Bekova", "Айгерим Нурлановне"),
        ("Азимжан Аскаров", "Azimjan Askarov"),
        ("Азимжан Аскаров", "Azimzhan Askarovu"),
        ("Джамшед Юсупов", "Dzhamshed Iusupov"),
        ("Шухрат Хамраев", "Shuxrat Hamrayev"),
        ("Ғайрат Ўроқов", "G'ayrat O'roqov"),
        ("Сергей Алексеев", "Sergej Alekseyev"),
        ("Юлия Ким", "Iuliia"),
        ("Юлия Ким", "Юлия Ким"),
    ],
)
def test_central_asian_forms_and_spellings_are_found(name, text):
    assert found(text, Protected.person("p", name))


# --- What is not a hit ----------------------------------------------------------------------


def test_an_organisation_matches_only_as_the_whole_phrase():
    network = Protected.source("the source", phrases=["Civil Society Network"])
    text = (
        "International Covenant on Civil and Political Rights; Organs of Society to Promote; "
        "the civil society of the country."
    )

    assert found(text, network) == []
    assert found("members of the Civil Society Networks met", network) == ["Civil Society Networks"]


def test_template_words_are_never_hits_for_names_that_do_not_occur():
    protected = [Protected.person(name, name) for name in ("Анна Иванова", "Farida Nazarova", "Бакыт Асан уулу")]

    for text in samples.library_texts():
        assert find_names(text, protected) == [], text


def test_a_name_that_is_an_ordinary_word_is_a_hit_only_written_as_a_name():
    vera = Protected.person("p", "Вера Мороз")
    hope = Protected.person("p", "Hope Grace")

    assert found("вера в справедливость, мороз и снег", vera) == []
    assert found("Вере Мороз угрожали", vera) == ["Вере Мороз"]
    assert found("we hope for grace", hope) == []
    assert found("Ms. Hope was detained", hope) == ["Hope"]


def test_a_capitalised_word_that_only_transliterates_a_case_form_is_not_a_hit():
    # "Any" is "Анны" (genitive of Анна) in Latin letters, and an English word.
    assert found("Any additional information. Anna Ivanova.") == ["Anna Ivanova"]


def test_short_parts_and_particles_are_hits_only_beside_the_rest_of_the_name():
    li = Protected.person("p", "Ли Ан")
    bakyt = Protected.person("p", "Бакыт Асан уулу")

    assert found("an answer; ли он придёт", li) == []
    assert found("г-н Ли Ан", li) == ["Ли Ан"]
    assert found("Токтогул уулу и Асан Жапаров", bakyt) == []
    assert found("Асан уулу", bakyt) == ["Асан уулу"]


def test_nothing_is_cut_out_of_other_words():
    # Whole words only: "Ivanovo" (a town), "Annapurna", "сотрудники" are other words.
    assert found("Annapurna, Ivanovich Street, сотрудники, Ivanovo region") == []


# --- Contacts ------------------------------------------------------------------------------------


def test_contact_details_are_found_without_the_words_around_them():
    source = Protected.source(
        "the source",
        contacts=["Signal +996 555 123 456, call after six; farida.n@mail.ru; telegram @farida_nz"],
    )
    text = (
        "Call after six. Write to farida.n [at] mail [dot] ru, or FARIDA.N@MAIL.RU, "
        "or 0555 123-456, or @farida_nz. Signal is used."
    )

    hits = [(hit.found_text, hit.matched) for hit in find_names(text, [source])]

    assert [text for text, _ in hits] == [
        "farida.n [at] mail [dot] ru",
        "FARIDA.N@MAIL.RU",
        "0555 123-456",
        "@farida_nz",
    ]


def test_a_phone_number_is_not_confused_with_a_reference_or_a_date():
    source = Protected.source("the source", contacts=["+7 701 555 12 34"])

    assert found("UA KAZ 3/2026 of 12 October 2026, resolution 68/181", source) == []
    assert found("звоните 8 (701) 555-12-34", source) == ["8 (701) 555-12-34"]


# --- Showing hits ---------------------------------------------------------------------------------


def test_hits_are_shown_in_context_escaped():
    text = "<p>Before <b>Анны</b> Ивановой & after</p>"
    hits = find_names(text, [ANNA])

    (snippet,) = in_context(text, hits, width=10)

    assert '<mark title="defender 1">Анны&lt;/b&gt; Ивановой</mark>' in snippet
    assert "&amp; after" in snippet
    assert marked("x <i>Анне</i>", find_names("x <i>Анне</i>", [ANNA])) == (
        'x &lt;i&gt;<mark title="defender 1">Анне</mark>&lt;/i&gt;'
    )


def test_hits_are_plain_ordered_values():
    assert Hit(1, 2, "a", "x") < Hit(3, 4, "b", "x")


# --- The source's voice -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I, Farida Nazarova, her niece, visited her in the colony in October 2026.", "en"),
        ("I am his aunt and heard it from the family.", "en"),
        ("I work with Aigerim at the hotline.", "en"),
        ("Я, Фарида Назарова, её племянница, навестила её.", "ru"),
        ("Мы с ней работаем на горячей линии.", "ru"),
        ("Являюсь его тётей.", "ru"),
        ("Je suis sa tante.", "fr"),
        ("Yo soy su tía.", "es"),
    ],
)
def test_first_person_sentences_are_flagged(text, language):
    assert [sentence.text for sentence in first_person_sentences(f"The office. {text} Second.", language)] == [text]


def test_the_offices_own_voice_is_not_flagged():
    for text in samples.library_texts():
        assert first_person_sentences(text, "en") == [], text


def test_a_roman_numeral_is_not_a_first_person():
    assert first_person_sentences("See Part I of the report and (i) the annex.", "en") == []


# --- Properties ------------------------------------------------------------------------------------

CULTURES = ["russian", "kazakh", "kyrgyz", "tajik", "uzbek", "english"]


@st.composite
def named_letters(draw):
    """A letter sentence naming a person in some case, script, spelling and disguise."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    culture = draw(st.sampled_from(CULTURES))
    someone = samples.person(rng, culture, draw(st.sampled_from(["femn", "masc"])))
    case = draw(st.sampled_from(samples.CASES))
    if culture == "english":
        written = someone.full + draw(st.sampled_from(["", "'s"]))
        language = "en"
    else:
        written = samples.forms(someone, case)
        system = draw(st.sampled_from([None, *samples.SYSTEMS]))
        if system:
            written = samples.transliterate(written, system)
        language = "en" if system else "ru"
    if draw(st.booleans()):
        written = " ".join(samples.disguise(word, rng) for word in written.split(" "))
    if draw(st.booleans()):
        written = written.upper() if "<" not in written else written
    sentence = draw(st.sampled_from(samples.FACTS[language]))
    before, _, after = sentence.partition("{name}")
    after = after.replace("{name}", "the defender")
    protected_as = draw(st.sampled_from(["as given", "latin"]))
    name = someone.full if protected_as == "as given" else samples.transliterate(someone.full, "bgn")
    return before, written, after, Protected.person("p", name)


@settings(deadline=None)
@given(named_letters())
def test_a_name_in_any_form_script_and_disguise_is_found_and_nothing_else(letter):
    before, written, after, protected = letter
    text = before + written + after

    hits = find_names(text, [protected])

    assert hits, text
    for hit in hits:
        assert len(before) <= hit.start and hit.end <= len(before) + len(written), (text, hit)


@st.composite
def turkic_letters(draw):
    """A Kazakh or Kyrgyz sentence naming a person with a case ending (Айгерімнің, Айгеримге), maybe in Latin."""
    language = draw(st.sampled_from(["kk", "ky"]))
    culture = "kazakh" if language == "kk" else "kyrgyz"
    first = draw(st.sampled_from(samples.KAZAKH_FIRST if language == "kk" else samples.KYRGYZ_FIRST))
    surname = draw(st.sampled_from(samples.POOLS[culture][2])) + draw(st.sampled_from(["", "а"]))
    case = draw(st.sampled_from(samples.TURKIC_CASES))
    decline = samples.kazakh_case if language == "kk" else samples.kyrgyz_case
    # The ending goes on the last word said: the first name alone, the surname alone, or the full name.
    said = draw(st.sampled_from([first, surname, f"{first} {surname}"]))
    written = decline(said, case)
    system = draw(st.sampled_from([None, "kazakh", "passport", "bgn"]))
    if system:
        written = samples.transliterate(written, system)
    if draw(st.booleans()):
        rng = random.Random(draw(st.integers(0, 2**32)))
        written = " ".join(samples.disguise(word, rng) for word in written.split(" "))
    before, _, after = draw(st.sampled_from(samples.TURKIC_SENTENCES[language])).partition("{name}")
    full = f"{first} {surname}"
    name = full if draw(st.booleans()) else samples.transliterate(full, "bgn")
    return before, written, after, Protected.person("p", name)


@settings(deadline=None, max_examples=300)
@given(turkic_letters())
def test_kazakh_and_kyrgyz_case_endings_are_found_in_either_script(letter):
    before, written, after, protected = letter
    text = before + written + after

    hits = find_names(text, [protected])

    assert hits, text
    for hit in hits:
        assert len(before) <= hit.start and hit.end <= len(before) + len(written), (text, hit)


@pytest.mark.parametrize(
    "text",
    ["Айгерімнің", "Айгерімге", "Айгерімді", "Айгерімде", "Айгерімнен", "Айгеріммен", "Айгеримдин", "Айгеримге",
     "Айгеримди", "Айгеримде", "Айгеримден", "Aigerimning", "Aigerimge", "Нұрланқызына", "Нурланкызынын"],
)  # fmt: skip
def test_the_kazakh_and_kyrgyz_forms_of_the_issue_are_found(text):
    assert found(f"Полиция {text} ұстады.", Protected.person("p", "Айгерім Нұрланқызы")) == [text]


@settings(deadline=None)
@given(
    st.integers(0, 2**32),
    st.sampled_from(CULTURES),
    st.sampled_from(["femn", "masc"]),
    st.sampled_from([None, *samples.SYSTEMS]),
)
def test_the_letter_library_never_yields_a_hit_for_a_name_that_does_not_occur(seed, culture, gender, system):
    someone = samples.person(random.Random(seed), culture, gender)
    name = samples.transliterate(someone.full, system) if system and culture != "english" else someone.full
    protected = [Protected.person("p", name)]

    for text in samples.library_texts():
        assert find_names(text, protected) == [], (name, text)


def test_an_initial_or_a_guessed_name_is_not_a_first_person():
    # "Я." is the initial of "Яна", as a name reference renders a withheld name; "Абвгу" is guessed, not known.
    assert first_person_sentences("Задержание Я. Н. вызывает тревогу.", "ru") == []
    assert first_person_sentences("Абвгу был задержан.", "ru") == []
    assert first_person_sentences("Я навещала её в колонии.", "ru")
