"""Receipt references and passphrases.

A reference is random (50 bits, Crockford base32) so it reveals neither the
order nor the number of submissions. A passphrase is one of three kinds, each
of at least 77 bits: six words of the EFF long list (7,776 words, 77.5 bits) in
the English interface; six words of a list of 8,192 common Russian nouns (78
bits, submissions/wordlists/ru.txt) in the Russian one; or, in any language, 24
digits in groups of four (79.7 bits), as GlobaLeaks' receipts are. With that
much entropy a slow password hash adds cost, not safety, so only an HMAC under
the server's key is stored, and compared in constant time.

What a person types back is forgiven what does not carry the secret: case,
spacing and punctuation between words or groups, ё for е, and Latin letters
that look like Cyrillic ones (a Russian phrase typed on a Latin keyboard
layout's look-alikes). Each kind has one canonical form, which is hashed;
English keeps the form of the first receipts, so they keep working.
"""

import hmac
import math
import re
import secrets
from functools import cache
from pathlib import Path

from xkcdpass import xkcd_password

from portal.crypto import keyed_hash

PASSPHRASE_WORDS = 6
PASSPHRASE_DIGITS = 24
DIGIT_GROUP = 4
MINIMUM_BITS = 77
WORDS = "words"
DIGITS = "digits"
RUSSIAN_WORDS = Path(__file__).resolve().parent / "wordlists" / "ru.txt"
# Latin capitals that look like Cyrillic ones, matched after upper-casing what was typed.
_CYRILLIC_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_SEPARATORS = re.compile(r"[\s\-_.,;:/]+")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_CHARS = 10
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


@cache
def wordlist(language: str = "en") -> tuple[str, ...]:
    """The words of passphrases in this interface language: Russian nouns for Russian, else the EFF list."""
    if language.startswith("ru"):
        return tuple(RUSSIAN_WORDS.read_text(encoding="utf-8").split())
    path = xkcd_password.locate_wordfile("eff-long")
    return tuple(xkcd_password.generate_wordlist(path, min_length=1, max_length=20))


def passphrase_bits(kind: str = WORDS, language: str = "en") -> float:
    """The entropy of a passphrase of this kind, from the size of what it is drawn from."""
    if kind == DIGITS:
        return PASSPHRASE_DIGITS * math.log2(10)
    return PASSPHRASE_WORDS * math.log2(len(set(wordlist(language))))


def new_reference() -> str:
    code = "".join(secrets.choice(_CROCKFORD) for _ in range(_REFERENCE_CHARS))
    return f"HRD-{code[:5]}-{code[5:]}"


def normalise_reference(text: str) -> str:
    """What a person typed, as stored: case, spaces, dashes and look-alikes forgiven."""
    code = re.sub(r"[^0-9A-Z]", "", text.upper().translate(_CONFUSABLE))
    code = code.removeprefix("HRD")
    if len(code) != _REFERENCE_CHARS:
        return ""
    return f"HRD-{code[:5]}-{code[5:]}"


def new_passphrase(*, kind: str = WORDS, language: str = "en") -> str:
    if kind == DIGITS:
        digits = "".join(secrets.choice("0123456789") for _ in range(PASSPHRASE_DIGITS))
        return " ".join(digits[i : i + DIGIT_GROUP] for i in range(0, PASSPHRASE_DIGITS, DIGIT_GROUP))
    words = wordlist(language)
    return " ".join(secrets.choice(words) for _ in range(PASSPHRASE_WORDS))


def normalise_passphrase(text: str) -> str:
    """The English words' form, as the first receipts were hashed: lower case, single spaces."""
    return " ".join(_SEPARATORS.split(text.strip().lower())).strip()


def _digits_form(text: str) -> str | None:
    """A digits passphrase without its grouping: only digits and separators were typed."""
    compact = _SEPARATORS.sub("", text)
    return f"digits:{compact}" if compact.isascii() and compact.isdigit() else None


def _cyrillic_form(text: str) -> str | None:
    """A Russian passphrase: look-alike Latin letters read as Cyrillic, ё as е, spaces optional."""
    letters = _SEPARATORS.sub("", text.upper().translate(_CYRILLIC_LOOKALIKES)).lower().replace("ё", "е")
    return f"ru:{letters}" if letters and re.fullmatch(r"[а-я]+", letters) else None


def _canonical(text: str) -> str:
    """The one form a new passphrase is hashed in."""
    return (
        _digits_form(text)
        or (_cyrillic_form(text) if re.search(r"[а-яё]", text.lower()) else None)
        or (normalise_passphrase(text))
    )


def _hash(reference: str, form: str) -> str:
    return keyed_hash(f"{reference}\x00{form}", purpose="receipt-passphrase")


def passphrase_hash(reference: str, passphrase: str) -> str:
    return _hash(reference, _canonical(passphrase))


canonical_passphrase = _canonical


def matching_form(stored_hash: str, reference: str, passphrase: str) -> str | None:
    """The form of what was typed that is the passphrase (its canonical form), or None; every tolerated
    form is tried, always."""
    forms = [normalise_passphrase(passphrase), _digits_form(passphrase) or "-", _cyrillic_form(passphrase) or "-"]
    matches = [hmac.compare_digest(stored_hash, _hash(reference, form)) for form in forms]
    return next((form for form, match in zip(forms, matches, strict=True) if match), None)


def passphrase_matches(stored_hash: str, reference: str, passphrase: str) -> bool:
    """Whether what was typed is the passphrase in any of its tolerated forms."""
    return matching_form(stored_hash, reference, passphrase) is not None
