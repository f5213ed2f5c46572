"""Text read as words: what a reader sees, with offsets into the original."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import text


def words(source: str) -> list[str]:
    return [token.norm for token in text.tokens(source)]


def test_inline_tags_join_the_text_around_them_and_block_tags_separate_words():
    assert words("An<em>na</em> Iva<strong class='x'>nova</strong>") == ["anna", "ivanova"]
    assert words("<p>Anna</p><p>Ivanova</p>") == ["anna", "ivanova"]
    assert words("Anna<br>Ivanova") == ["anna", "ivanova"]
    assert words("one</li><li>two") == ["one", "two"]


def test_tokens_keep_their_offsets_in_the_original_text():
    source = "<p>Задержание An<em>na</em> &amp; Ив&#1072;новой</p>"

    spans = [source[token.start : token.end] for token in text.tokens(source)]

    assert spans == ["Задержание", "An<em>na", "Ив&#1072;новой"]


def test_invisible_characters_are_dropped():
    for mark in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e", "\u2066"):
        assert words(f"Ива{mark}нова") == ["иванова"]


def test_nfkc_and_case_folding():
    assert words("ＡＮＮＡ") == ["anna"]
    assert words("STRAẞE") == ["strasse"]


def test_look_alike_letters_are_folded_into_the_words_script():
    assert words("Ивaнова") == ["иванова"]  # Latin a
    assert words("Ivаnоva") == ["ivanova"]  # Cyrillic а and о
    assert words("Вера") == ["вера"]  # all Cyrillic, nothing to fold


def test_stress_marks_are_dropped():
    assert words("Ива́нова") == ["иванова"]


def test_attribute_values_and_comments_are_read_after_the_visible_text():
    source = 'Visible <a title="Анна" href="mailto:x@y.org">link</a><!-- Иванова -->'

    assert words(source) == ["visible", "link", "анна", "mailto", "x", "y", "org", "иванова"]
    assert [source[t.start : t.end] for t in text.tokens(source)][2] == "Анна"


def test_the_shape_of_a_word_is_kept():
    assert [token.shape for token in text.tokens("anna Anna ANNA aNNa")] == ["lower", "title", "upper", "mixed"]


def test_normalise_reads_the_text_for_comparison():
    assert text.normalise("<b>Ива\u200bн</b>ова &amp; CO") == "иванова & co"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ивановой", "Ivanovoy"),
        ("Ивановой", "Ivanovoi"),
        ("Ивановой", "Ivanovoj"),
        ("Мамадшоева", "Mamadshoyeva"),
        ("Ульфатхоним", "Ulfathonim"),
        ("Сергей", "Sergej"),
        ("Сергей", "Serghei"),
        ("Джамшед", "Jamshed"),
        ("Джамшед", "Dzhamshed"),
        ("Алиев", "Aliyev"),
        ("Елена", "Yelena"),
        ("Юлия", "Iuliia"),
        ("Юлия", "Julia"),
        ("Хуршид", "Xurshid"),
        ("Хуршид", "Khurshid"),
        ("Щукин", "Shchukin"),
        ("Цой", "Tsoi"),
        ("Нұрланұлы", "Nurlanuly"),
        ("Ғуломов", "G'ulomov"),
        ("Ўроқов", "O'roqov"),
        ("Şahinova", "Шахинова"),
        ("Фёдор", "Fyodor"),
        ("Ivanova's", "Иванова"),
    ],
)
def test_one_spelling_across_scripts_and_systems_has_a_common_skeleton(one, other):
    assert text.skeletons(one) & text.skeletons(other)


@pytest.mark.parametrize(("one", "other"), [("Иванова", "Петрова"), ("Anna", "Annapurna"), ("Sergei", "Sergeev")])
def test_different_words_have_different_skeletons(one, other):
    assert not text.skeletons(one) & text.skeletons(other)


def test_russian_lemmas_read_every_case():
    for form in ("сотрудник", "сотрудника", "сотрудникам", "сотрудниками", "сотрудники"):
        assert "сотрудник" in text.lemmas(form)
    assert "рудник" not in text.lemmas("сотрудники")
    assert text.lemmas("ребёнка") >= {"ребенок"}


def test_english_french_and_spanish_words_have_stems():
    assert text.stem("companies") == text.stem("company")
    assert text.stem("défenseurs", "fr") == text.stem("défenseur", "fr")
    assert text.stem("defensoras", "es") == text.stem("defensora", "es")


def test_ordinary_words_are_told_from_names():
    assert text.is_ordinary_word("вера")
    assert text.is_ordinary_word("hope")
    assert not text.is_ordinary_word("анне")
    assert not text.is_ordinary_word("ivanova")


def test_sentences_split_after_full_stops_not_after_initials_or_titles():
    found = [s.text for s in text.sentences("Mr. Smith came. I, А. Иванова, saw it! <p>Next</p>")]

    assert found == ["Mr. Smith came.", "I, А. Иванова, saw it!", "Next"]


def test_the_morphology_analyser_is_built_once():
    assert text.morph() is text.morph()


@settings(deadline=None)
@given(
    st.lists(st.sampled_from(["Анна", "Иванова", "Ivanova", "Nurlan", "Айгерім", "Ulfathonim"]), min_size=1),
    st.data(),
)
def test_tags_and_invisible_characters_inside_words_never_change_the_words(names, data):
    pieces = []
    for name in names:
        cut = data.draw(st.integers(1, len(name) - 1))
        junk = ["<em>", "</strong>", "\u200b", "\u00ad", "<span class='a'>", "&shy;", "\ufe0f", "\u2060"]
        if text.is_cyrillic(name[cut - 1]):
            junk += ["\u0301", "\u0300", "\u0301\u200b"]  # stress marks, which follow a letter
        junk = data.draw(st.sampled_from(junk))
        pieces.append(name[:cut] + junk + name[cut:])
    source = " ".join(pieces)

    tokens = text.tokens(source)

    assert [token.norm for token in tokens] == [name.casefold() for name in names]
    assert [source[token.start : token.end] for token in tokens] == pieces


def test_stemming_from_many_threads_at_once_gives_each_word_its_own_stem():
    """gunicorn's threads share a process: a Snowball stemmer holds the word it works on, so threads that
    shared one stemmed each other's words (or raised IndexError, a 500 on the intake form)."""
    import sys
    import threading

    stems = ("detain", "arrest", "threaten", "report", "journal", "defend")
    endings = ("", "ed", "ing", "ings", "ment", "ments", "ation", "ations", "ers", "ness")
    vocabulary = [stem + ending for stem in stems for ending in endings]
    languages = ("en", "fr", "es")
    expected = {(w, lang): text._stemmer(lang).stemWord(w) for w in vocabulary for lang in languages}
    wrong, failures = [], []

    def stem_everything():
        try:
            # Five rounds: one stemmer shared by the threads gave a wrong stem or an error in each of 30 runs of
            # five rounds, and of one; sixty took 8 s of CPU here for the same finding.
            for _ in range(5):
                for (word, language), stem in expected.items():
                    # Past the cache, to the stemmer itself, as every new word of a report goes.
                    got = text._stemmer(language).stemWord(word)
                    if got != stem:
                        wrong.append((word, got, stem))
        except Exception as error:  # any failure in a thread is the finding
            failures.append(repr(error))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a loaded server may
    try:
        threads = [threading.Thread(target=stem_everything) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)

    assert failures == [] and wrong == []
