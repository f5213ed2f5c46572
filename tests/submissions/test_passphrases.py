"""Receipts a source can keep: Russian words in the Russian interface, digits in any, English words as before;
each at least 77 bits; the login forgives case, spacing, ё/е and Latin look-alikes, and nothing that carries
the secret."""

import math
import re
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.crypto import keyed_hash
from submissions import receipts
from submissions.receipts import DIGITS, WORDS
from tests.support.intake import report_data

REFERENCE = "HRD-7KQ4M-9TXW2"
RUSSIAN = "сорок рыба дорога лампа ветер берег"
# Latin letters that look like Cyrillic ones, as a phone keyboard might swap them in.
LOOKALIKES = {"а": "a", "в": "B", "е": "e", "к": "k", "м": "M", "н": "H", "о": "o", "р": "p", "с": "c", "т": "T",
              "у": "y", "х": "x"}  # fmt: skip


def matches(typed: str, passphrase: str = RUSSIAN) -> bool:
    return receipts.passphrase_matches(receipts.passphrase_hash(REFERENCE, passphrase), REFERENCE, typed)


def test_the_russian_list_is_large_unique_and_unambiguous():
    words = receipts.wordlist("ru")
    assert len(words) >= 7776
    assert len(set(words)) == len(words)
    assert all(re.fullmatch(r"[а-я]{4,8}", word) for word in words)
    assert not any(set("ёйъ") & set(word) for word in words)
    # No two words differ only by what the login forgives.
    assert len({receipts._cyrillic_form(word) for word in words}) == len(words)


@pytest.mark.parametrize(("kind", "language"), [(WORDS, "en"), (WORDS, "ru"), (DIGITS, "en"), (DIGITS, "ru")], ids=str)
def test_every_kind_of_passphrase_has_at_least_77_bits(kind, language):
    assert receipts.passphrase_bits(kind, language) >= receipts.MINIMUM_BITS
    passphrase = receipts.new_passphrase(kind=kind, language=language)
    if kind == DIGITS:
        assert re.fullmatch(r"\d{4}( \d{4}){5}", passphrase)
        assert receipts.PASSPHRASE_DIGITS * math.log2(10) >= 77
    else:
        words = passphrase.split()
        assert len(words) == receipts.PASSPHRASE_WORDS
        assert set(words) <= set(receipts.wordlist(language))
        assert receipts.PASSPHRASE_WORDS * math.log2(len(set(receipts.wordlist(language)))) >= 77


def test_english_keeps_the_eff_list():
    assert len(set(receipts.wordlist("en"))) == 7776
    assert re.fullmatch(r"[a-z -]+", receipts.new_passphrase(language="en"))


def test_a_receipt_made_before_the_russian_and_digit_passphrases_still_opens():
    # As the first receipts were hashed: the lower-cased words, single spaces.
    old = keyed_hash(f"{REFERENCE}\x00rejoice cancel recant unholy zealous hypertext", purpose="receipt-passphrase")
    assert receipts.passphrase_matches(old, REFERENCE, "Rejoice  cancel-recant unholy zealous hypertext ")
    assert not receipts.passphrase_matches(old, REFERENCE, "rejoice cancel recant unholy zealous")


@pytest.mark.parametrize(
    "typed",
    [
        "СОРОК РЫБА ДОРОГА ЛАМПА ВЕТЕР БЕРЕГ",
        "  сорок   рыба\tдорога-лампа, ветер берег ",
        "сорокрыбадорогалампаветерберег",
        "copok pы6a дopoгa лaмпa BeTep 6epeг".replace("6", "б"),
        "сорок рыба дорога лампа вётер бёрег",
    ],
    ids=["capitals", "spacing", "no-spaces", "latin-look-alikes", "yo"],
)
def test_the_login_forgives_a_russian_passphrase_what_carries_no_secret(typed):
    assert matches(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "сорок рыба дорога лампа ветер",  # a word short
        "сорок рыба дорога лампа ветер берет",  # one letter wrong
        "рыба сорок дорога лампа ветер берег",  # words swapped
        "sorok ryba doroga lampa veter bereg",  # a transliteration is another secret
        "",
    ],
)
def test_the_login_refuses_anything_weaker(typed):
    assert not matches(typed)


def test_the_login_forgives_how_the_digits_are_grouped_and_nothing_else():
    digits = "0123 4567 8901 2345 6789 0123"
    assert matches("012345678901234567890123", digits)
    assert matches(" 01-23 45.67 8901 234 567 89 0123 ", digits)
    assert not matches("0123 4567 8901 2345 6789 0124", digits)
    assert not matches("0123 4567 8901 2345 6789", digits)


@given(st.lists(st.sampled_from(sorted(LOOKALIKES)), min_size=1))
def test_any_mix_of_look_alikes_and_capitals_opens_the_russian_receipt(letters):
    typed = RUSSIAN
    for letter in set(letters):
        typed = typed.replace(letter, LOOKALIKES[letter])
    assert matches(typed.upper()) and matches(typed)


@given(st.integers(min_value=0, max_value=len(RUSSIAN) - 1), st.sampled_from("бгджзлпфцчшщыэюя"))
def test_a_changed_letter_never_opens_it(position, letter):
    typed = RUSSIAN[:position] + letter + RUSSIAN[position + 1 :]
    if typed.replace(" ", "") != RUSSIAN.replace(" ", ""):
        assert not matches(typed)


def token(review_page: str) -> str:
    """The review page's one-time token: each report is sent once."""
    return re.search(r'name="token" value="([^"]+)"', review_page).group(1)


def fresh_report() -> dict:
    # A token of its own: another test of this worker may have sent the default one already.
    return {**report_data(), "token": secrets.token_hex(16)}


@pytest.mark.django_db
def test_a_report_sent_in_russian_gets_a_receipt_of_russian_words_that_opens_it(client):
    data = fresh_report()
    review = client.post("/ru/submit/", {**data, "action": "review"}).content.decode()
    html = client.post("/ru/submit/", {**data, "action": "submit", "token": token(review)}).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)

    words = passphrase.split()
    assert len(words) == 6 and set(words) <= set(receipts.wordlist("ru"))
    client.cookies.clear()
    response = client.post("/ru/receipt/", {"reference": reference, "passphrase": passphrase.upper().replace(" ", "")})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_source_may_choose_digits_in_any_language(client):
    data = fresh_report()
    review = client.post("/submit/", {**data, "action": "review"}).content.decode()
    assert 'name="passphrase_kind"' in review
    response = client.post("/submit/", {**data, "action": "submit", "passphrase_kind": DIGITS, "token": token(review)})
    html = response.content.decode()
    assert response.status_code == 200, html[:3000]
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    assert re.fullmatch(r"\d{4}( \d{4}){5}", passphrase)


@pytest.mark.django_db
def test_the_login_page_says_what_it_forgives(client):
    html = client.get("/receipt/").content.decode()
    assert "Capital letters, spaces and ё or е do not matter" in html
