"""The name gate: find protected names, contacts and phrases in a text, in any form, script or format.

It FINDS and the caller BLOCKS. It never rewrites text: a name leaves a letter only
through the name references of the draft, never by cutting matching fragments
out of words.

What is protected (a `Protected`, one per person or source, with a label for staff):

- ``names``: full names of people (a defender without the needed consent, the
  source, anyone the source marked confidential). EVERY PART of a name is a hit
  on its own: the surname, the first name (also a common one such as "Anna"), the
  patronymic. Exceptions: parts of one or two letters ("Li", "An") and name
  particles ("уулу", "ұлы", "қызы", "оглы", "bin", "de", "van") are hits only next
  to another part of the same name.
- ``phrases``: organisation names, a relationship, any wording that identifies:
  a hit only as the WHOLE phrase (every word, in order, each in any grammatical
  form), so protecting "Civil Society Network" never flags "Civil and Political
  Rights".
- ``contacts``: free-text contact details; the gate takes out the identifiers
  (e-mail addresses, phone numbers, @handles and web addresses) and finds those,
  not the ordinary words around them ("call after six").

How a name is compared: by keys, never raw strings. Each part of a protected
name is expanded into its grammatical forms (pymorphy3's paradigm when it knows
the name as a name, surname or patronymic, plus the declension rules of Russian
and of Central Asian names: -ов/-ова/-ев/-ева/-ин/-ина, -ский/-ская, -ович/-овна,
a- and я-stems, consonant stems, -зода/-заде, -ұлы/-қызы/-уулу/-кызы; and the Kazakh and
Kyrgyz case endings, by vowel harmony and consonant assimilation: Айгерімнің, Айгерімге,
Айгерімді, Айгерімде, Айгерімнен, Айгеріммен, Айгеримдин, Азаматка), Latin input
is first read back into Cyrillic for this. Every form, and every word of the
text, is reduced to a Latin skeleton (portal.text.skeletons) that is the same
across scripts and transliteration systems (passport, BGN, scientific, local
Latin alphabets): "Ивановой", "Ivanovoy", "Ivanovoi" and "Ivanovoj" all read
"ivanovoi". A text word is a hit when its skeleton is one of the skeletons of a
protected form. The text is read as a reader sees it (portal.text): tags
stripped, zero-width and bidi characters out, look-alike letters folded.

Names that are also ordinary words ("Вера", "Роза", "Hope", "Frank", a surname
"Мороз"): a word in lower case that the dictionary knows as an ordinary word
(pymorphy3 for Russian; the English, French and Spanish lists shipped with
xkcdpass) is never a person-name hit, because in Russian, English, French and
Spanish a name is written with a capital. Written with a capital it is a hit,
also at the start of a sentence ("Вера в справедливость" is flagged, and a person
dismisses it): a false alarm costs a minute, a missed name can cost a person.
A name that is not an ordinary word ("Анна", "Иванова", "Aigerim") is a hit in
any case, lower case included.
"""

import bisect
import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from portal import text as reading

WITHHELD = "[name withheld]"


# --- What is protected, what is found --------------------------------------------


@dataclass(frozen=True)
class Protected:
    """What must not leave: one person's or one source's names, identifying phrases and contacts.

    `label` tells staff whose it is ("defender 1: no consent to be named to the
    government", "the source"); it is shown next to each hit, never published.
    """

    label: str
    names: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    @classmethod
    def person(cls, label: str, *names: str) -> "Protected":
        return cls(label=label, names=tuple(name for name in names if name and name.strip()))

    @classmethod
    def source(
        cls,
        label: str,
        *,
        name: str = "",
        contacts: Iterable[str] = (),
        phrases: Iterable[str] = (),
    ) -> "Protected":
        """The source: their name, their contact details, and phrases such as their organisation."""
        return cls(
            label=label,
            names=(name,) if name.strip() else (),
            phrases=tuple(phrase for phrase in phrases if phrase.strip()),
            contacts=tuple(contact for contact in contacts if contact.strip()),
        )


@dataclass(frozen=True, order=True)
class Hit:
    """A protected name, phrase or contact found in a text; offsets into the original text."""

    start: int
    end: int
    found_text: str
    protected_label: str
    matched: str = field(default="", compare=False)  # the protected part, phrase or contact (staff only)


# --- Name forms ---------------------------------------------------------------------

# Particles that follow a father's name (Kazakh, Kyrgyz, Uzbek, Azerbaijani) or precede a surname.
_PARTICLES = frozenset({
    "ұлы", "улы", "уулу", "қызы", "кызы", "гызы", "оглы", "огли", "угли", "ули", "uly", "uli", "ulu", "uulu",
    "kyzy", "kizi", "qizi", "gyzy", "ogly", "ogli", "ugli", "oglu", "bin", "ibn", "bint", "ben", "van", "von",
    "der", "den", "de", "del", "della", "da", "das", "dos", "di", "du", "la", "le", "el", "al", "ter", "ten"
})  # fmt: skip
_PATRONYMIC_PARTICLES = frozenset({
    "ұлы", "улы", "уулу", "қызы", "кызы", "гызы", "оглы", "огли", "угли", "uly", "uli", "ulu", "uulu", "kyzy",
    "kizi", "qizi", "gyzy", "ogly", "ogli", "ugli", "oglu",
})  # fmt: skip
_PARTICLE_KEYS = frozenset().union(*(reading.skeletons(word) for word in _PARTICLES))

# Latin read back into Cyrillic, longest spellings first: only to find the declension of a
# Latin-written name; the comparison itself is on skeletons.
_LATIN_TO_CYRILLIC = [
    ("shch", "щ"), ("sch", "щ"), ("dzh", "дж"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("gh", "ғ"), ("iya", "ия"), ("iye", "ие"), ("iyu", "ию"), ("ia", "ия"), ("yu", "ю"),
    ("yo", "ё"), ("ya", "я"), ("ye", "е"), ("iy", "ий"),
    ("yy", "ый"), ("j", "дж"), ("x", "х"), ("q", "қ"), ("w", "в"), ("c", "к"), ("h", "х"), ("'", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("t", "т"), ("u", "у"), ("f", "ф"),
]  # fmt: skip
_LATIN_PIECE = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_TO_CYRILLIC) + "|y")
_LATIN_MAP = dict(_LATIN_TO_CYRILLIC)


def to_cyrillic(word: str) -> str:
    """A Latin-written name in Cyrillic, as Russian would spell it (a guess, for its declension)."""
    latin = reading.to_ascii(word) if not any(reading.is_cyrillic(char) for char in word) else word
    latin = re.sub(r"^i([aou])", r"y\1", latin)  # ICAO: Iakov, Iulia
    latin = re.sub(r"ii([aeu])", r"i\1", latin)  # Mariia
    out = []
    for match in _LATIN_PIECE.finditer(latin):
        piece = match.group()
        if piece == "y":
            following = latin[match.end() : match.end() + 1]
            after_vowel = bool(out) and out[-1][-1] in "аеиоуэяюё"
            out.append("й" if after_vowel and (not following or following not in "aeiou") else "ы")
        else:
            out.append(_LATIN_MAP[piece])
    return "".join(out)


_VOWELS = "аеёиоуыэюяәөүұіӣӯ"
_SURNAME = ("", "а", "у", "ым", "ом", "е", "ы", "ых", "ыми", "ой", "ою")  # after -ов/-ев/-ин: both genders
_ADJECTIVAL = ("ий", "ой", "ый", "ого", "ому", "им", "ом", "ая", "ую", "ою", "ие", "их", "ими")
_FEMININE_PATRONYMIC = ("а", "ы", "е", "у", "ой", "ою")
# (nominative ending, letters cut from the end for the stem, endings that follow the stem)
_DECLENSIONS = [
    *((ending, 2, _ADJECTIVAL) for ending in ("ский", "цкий", "ской", "ская", "цкая")),
    *((ending, 1, _FEMININE_PATRONYMIC) for ending in ("овна", "евна", "ична")),
    *((ending, 0, ("", "а", "у", "ем", "е", "и", "ей", "ам")) for ending in ("ович", "евич", "ич")),
    *((ending, 1, _SURNAME) for ending in ("ова", "ева", "ёва", "ина", "ына")),
    *((ending, 0, _SURNAME) for ending in ("ов", "ев", "ёв", "ин", "ын")),
    ("ия", 2, ("ия", "ии", "ию", "ией", "иею", "ие")),
    ("я", 1, ("я", "и", "е", "ю", "ей", "ею")),
    ("а", 1, ("а", "ы", "и", "е", "у", "ой", "ою")),
    ("й", 1, ("й", "я", "ю", "ем", "е", "и")),
    ("ь", 1, ("ь", "я", "ю", "ем", "е", "и", "ью")),
]
_INDECLINABLE = ("ұлы", "улы", "уулу", "қызы", "кызы", "оглы", "заде", "ко", "их", "ых")
_CONSONANT_STEM = ("", "а", "у", "ом", "ем", "е")


def _declined(word: str) -> set[str]:
    """The forms of a Cyrillic name by the declension rules (both genders for surnames)."""
    if word.endswith(_INDECLINABLE) or word[-1] in "оеиуюэ":
        return {word}
    for ending, cut, endings in _DECLENSIONS:
        if word.endswith(ending):
            stem = word[: len(word) - cut]
            return {stem + each for each in endings}
    if word[-1] not in _VOWELS:  # a consonant stem: Аскар, Фарход, Бакыт, Ким
        return {word + each for each in _CONSONANT_STEM}
    return {word}


# --- Kazakh and Kyrgyz case endings, written on the name: Айгерімнің, Айгерімге, Айгеримдин -------------
#
# The ending's vowel follows the name's last vowel (vowel harmony: Kazakh back а/ы or front е/і; Kyrgyz
# а/ы, о/у, е/и or ө/ү), and its first consonant the name's last sound (after a vowel, a nasal м н ң, another
# voiced consonant, or a voiceless one). A vowel of Russian spelling that does not tell the harmony (и, у,
# ю, я, ё, э) gives the forms of both. Vowels are folded by the skeletons, but not а/е: "Айгерімге" and
# "Азаматқа" need their own harmony.

_KAZAKH_HARMONY = {"а": "back", "о": "back", "ұ": "back", "ы": "back", "ә": "front", "ө": "front", "ү": "front",
                   "і": "front", "е": "front"}  # fmt: skip
# Kazakh letters in a Kyrgyz text (і, ә, ұ) read as the Kyrgyz vowel nearest to them.
_KYRGYZ_HARMONY = {"а": "аы", "ы": "аы", "я": "аы", "о": "оу", "у": "оу", "ё": "оу", "ю": "оу", "ұ": "оу",
                   "е": "еи", "э": "еи", "и": "еи", "і": "еи", "ә": "еи", "ө": "өү", "ү": "өү"}  # fmt: skip
_NASALS = frozenset("мнң")
_VOICED = frozenset("лрйуўжз")  # after them: д, г
_VOICELESS = frozenset("кқпстфхһцчшщбвгғд")  # б в г д are devoiced at the end of a word
# Kazakh endings by the class of the last sound; "A" is а/е, "Y" is ы/і, "G" is ғ/г, "Q" is қ/к.
_KAZAKH_ENDINGS = {
    "vowel": ("нYң", "GA", "нY", "дA", "дAн", "мен", "менен"),
    "nasal": ("нYң", "GA", "дY", "дA", "нAн", "мен", "менен"),
    "voiced": ("дYң", "GA", "дY", "дA", "дAн", "мен", "бен", "менен", "бенен"),
    "voiceless": ("тYң", "QA", "тY", "тA", "тAн", "пен", "пенен"),
}
# Kyrgyz: "A" is the low vowel of the harmony (а о е ө), "Y" the high one (ы у и ү).
_KYRGYZ_ENDINGS = {
    "vowel": ("нYн", "гA", "нY", "дA", "дAн"),
    "nasal": ("дYн", "гA", "дY", "дA", "дAн"),
    "voiced": ("дYн", "гA", "дY", "дA", "дAн"),
    "voiceless": ("тYн", "кA", "тY", "тA", "тAн"),
}
# After the possessive -ы/-і/-сы of "Нұрланұлы", "қызы", "уулу": the pronominal н (Нұрланұлына, кызынын).
_POSSESSIVE_ENDINGS = ("ның", "нің", "нын", "нин", "нун", "нүн", "на", "не", "но", "нө", "н", "нда", "нде", "ндо",
                       "ндө", "нан", "нен", "нон", "нөн", "мен", "менен")  # fmt: skip
_POSSESSIVE_NAMES = ("ұлы", "улы", "уулу", "қызы", "кызы")


def _last_sound(word: str) -> str:
    word = word.rstrip("ьъ")
    last = word[-1:]
    if not last or (last in _VOWELS and not (last in "уў" and len(word) > 1 and word[-2] in _VOWELS)):
        return "vowel"
    if last in _NASALS:
        return "nasal"
    return "voiceless" if last in _VOICELESS else "voiced"


def _harmonies(word: str, table: dict[str, str], ambiguous: tuple[str, ...]) -> tuple[str, ...]:
    for char in reversed(word):
        if char in table:
            return (table[char],)
        if char in _VOWELS:
            return ambiguous
    return ambiguous


def turkic_forms(word: str) -> set[str]:
    """The Kazakh and Kyrgyz case forms of a Cyrillic name (genitive, dative, accusative, locative,
    ablative, instrumental), by vowel harmony and the assimilation of the ending's first consonant."""
    if len(word) < 3 or not any(reading.is_cyrillic(char) for char in word):
        return set()
    if word.endswith(_POSSESSIVE_NAMES):
        return {word + ending for ending in _POSSESSIVE_ENDINGS}
    sound = _last_sound(word)
    forms = set()
    for harmony in _harmonies(word, _KAZAKH_HARMONY, ("back", "front")):
        letters = {"A": "а" if harmony == "back" else "е", "Y": "ы" if harmony == "back" else "і",
                   "G": "ғ" if harmony == "back" else "г", "Q": "қ" if harmony == "back" else "к"}  # fmt: skip
        for ending in _KAZAKH_ENDINGS[sound]:
            forms.add(word + "".join(letters.get(char, char) for char in ending))
    for low, high in _harmonies(word, _KYRGYZ_HARMONY, ("аы", "еи", "оу", "өү")):
        for ending in _KYRGYZ_ENDINGS[sound]:
            forms.add(word + ending.replace("A", low).replace("Y", high))
    return forms


@functools.lru_cache(maxsize=4096)
def _dictionary_forms(word: str) -> frozenset[str]:
    """The paradigm pymorphy3 knows for `word` read as a name, surname or patronymic in the nominative."""
    forms: set[str] = set()
    for parse in reading.parses(word):
        grammemes = parse.tag.grammemes
        if "nomn" in grammemes and grammemes & {"Name", "Surn", "Patr"}:
            # A first name's plural is a surname ("Иванов" of "Иван", "Сергеев" of "Сергей"):
            # only a surname keeps its plural ("Ивановы", the family).
            family = "Surn" in grammemes
            forms |= {form.word for form in parse.lexeme if family or "plur" not in form.tag.grammemes}
    return frozenset(forms)


@functools.lru_cache(maxsize=4096)
def name_forms(part: str) -> frozenset[str]:
    """The written forms of one name part, in Cyrillic (all cases, both genders) and as given."""
    part = reading.fold_lookalikes(part).casefold()
    cyrillic = part if any(reading.is_cyrillic(char) for char in part) else to_cyrillic(part)
    spellings = {cyrillic}
    for suffix, other in (("зода", "заде"), ("заде", "зода"), ("ұлы", "улы"), ("қызы", "кызы")):
        if cyrillic.endswith(suffix):
            spellings.add(cyrillic[: -len(suffix)] + other)
    forms = {part}
    for spelling in spellings:
        forms |= {spelling} | _declined(spelling) | _dictionary_forms(spelling) | turkic_forms(spelling)
    return frozenset(form for form in forms if form)


@functools.lru_cache(maxsize=4096)
def name_keys(part: str) -> frozenset[str]:
    """The skeletons of every form of one name part."""
    return frozenset().union(*(reading.skeletons(form) for form in name_forms(part)))


@functools.lru_cache(maxsize=4096)
def _phrase_word_keys(word: str) -> frozenset[str]:
    """Keys of one word of a protected phrase: its forms' skeletons, and Snowball stems for Latin words."""
    keys = set(reading.skeletons(word))
    if any(reading.is_cyrillic(char) for char in word):
        for parse in reading.parses(word):
            keys |= frozenset().union(*(reading.skeletons(form.word) for form in parse.lexeme))
    else:
        keys |= {"~" + reading.stem(word, language) for language in ("en", "fr", "es")}
    return frozenset(keys)


@functools.lru_cache(maxsize=100_000)
def _token_keys(norm: str) -> frozenset[str]:
    keys = set(reading.skeletons(norm))
    if not any(reading.is_cyrillic(char) for char in norm):
        keys |= {"~" + reading.stem(norm, language) for language in ("en", "fr", "es")}
    return frozenset(keys)


# --- The compiled gate ---------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    keys: frozenset[str]  # every form
    base: frozenset[str]  # the form as given (and its Cyrillic spelling)
    # A name part (or a one-word phrase): an ordinary word fills it only if written as a name.
    needs_name_shape: bool


@dataclass(frozen=True)
class _Pattern:
    label: str
    matched: str
    slots: tuple[_Slot, ...]


def _fills(slot: _Slot, token: reading.Token) -> bool:
    keys = _token_keys(token.norm)
    if not slot.keys & keys:
        return False
    if not slot.needs_name_shape or not reading.is_ordinary_word(token.norm):
        return True
    if token.shape == "lower":
        return False  # "вера", "hope", "any": the word, not the name
    # A capitalised English, French or Spanish word ("Any") that is only the transliteration of an
    # inflected Russian form ("Анны") is the word; the name as given ("Rose", "Hope") is a hit.
    return token.cyrillic or bool(slot.base & keys)


def _name_patterns(label: str, name: str) -> list[_Pattern]:
    parts = [token.norm for token in reading.tokens(name)]
    slots = []
    for part in parts:
        particle = bool(reading.skeletons(part) & _PARTICLE_KEYS) or part in _PARTICLES
        base = reading.skeletons(part) | reading.skeletons(to_cyrillic(part))
        slots.append((part, _Slot(name_keys(part), base, needs_name_shape=not particle), particle))
    patterns = []
    for i, (part, slot, particle) in enumerate(slots):
        alone = not particle and min(len(key) for key in reading.skeletons(part)) >= 3
        # "Асан уулу", "Ахмет оглы": the father's name is the person's name only with its particle.
        if i + 1 < len(slots) and parts[i + 1] in _PATRONYMIC_PARTICLES:
            alone = False
        if alone:
            patterns.append(_Pattern(label, part, (slot,)))
            continue
        # Too short or a particle: a hit only beside a neighbouring part of the same name.
        if i > 0:
            patterns.append(_Pattern(label, f"{slots[i - 1][0]} {part}", (slots[i - 1][1], slot)))
        if i + 1 < len(slots):
            patterns.append(_Pattern(label, f"{part} {slots[i + 1][0]}", (slot, slots[i + 1][1])))
    return patterns


def _phrase_pattern(label: str, phrase: str) -> _Pattern | None:
    words = [token.norm for token in reading.tokens(phrase)]
    if not words:
        return None
    single = len(words) == 1
    slots = tuple(_Slot(keys, keys, needs_name_shape=single) for keys in (_phrase_word_keys(word) for word in words))
    return _Pattern(label, " ".join(words), slots)


# Contact identifiers.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/[\w./?=&%~+-]*)?", re.IGNORECASE)
_PHONE = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_HANDLE = re.compile(r"(?<![\w@.])@[\w.]{3,}")
_WORD_HANDLE = re.compile(r"\b(?=\w*[_\d])(?=\w*[^\W\d_])\w{4,}\b")
_MESSENGERS = re.compile(
    r"\b(?:telegram|signal|skype|whatsapp|viber|threema|wire|instagram|facebook|twitter|vk|tg|matrix|"
    r"телеграм+|сигнал|скайп|вотсап|вайбер)\b\s*[:\-]?\s*(@?[\w.]{3,})",
    re.IGNORECASE,
)
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class _Contacts:
    label: str
    patterns: tuple[tuple[str, re.Pattern], ...]  # (what, pattern over the folded stream)
    phones: tuple[str, ...]  # digits only


def _email_pattern(email: str) -> re.Pattern:
    local, _, domain = email.partition("@")
    at = r"\s*(?:@|\[\s*at\s*\]|\(\s*at\s*\)|\s+at\s+|\s+собака\s+)\s*"
    dot = r"\s*(?:\.|\[\s*dot\s*\]|\(\s*dot\s*\)|\s+dot\s+|\s+точка\s+)\s*"
    return re.compile(
        r"(?<![\w.+-])"
        + re.escape(local)
        + at
        + dot.join(re.escape(piece) for piece in domain.split("."))
        + r"(?![\w-])"
    )


def _contacts(label: str, details: Sequence[str]) -> _Contacts:
    patterns: list[tuple[str, re.Pattern]] = []
    phones: list[str] = []
    for detail in details:
        folded = _fold_for_contacts(reading.stream(detail).text)
        emails = _EMAIL.findall(folded)
        for email in emails:
            patterns.append((email, _email_pattern(email)))
        rest = _EMAIL.sub(" ", folded)
        for url in _URL.findall(rest):
            address = re.sub(r"^https?://(www\.)?", "", url).rstrip("/.")
            if "/" in address or address.count(".") >= 1:
                patterns.append((address, re.compile(r"(?<![\w.-])" + re.escape(address) + r"(?![\w/-])")))
        handles = {match.lstrip("@") for match in _HANDLE.findall(rest)}
        handles |= set(_WORD_HANDLE.findall(_URL.sub(" ", rest)))
        handles |= {match.lstrip("@") for match in _MESSENGERS.findall(rest)}
        for handle in handles:
            handle = handle.strip(".")
            if len(handle) < 3 or handle.isdigit() or reading.is_ordinary_word(handle):
                continue
            patterns.append(("@" + handle, re.compile(r"(?<![\w.-])@?" + re.escape(handle) + r"(?![\w-])")))
        for number in _PHONE.findall(rest):
            digits = "".join(char for char in number if char.isdigit())
            if len(digits) >= _MIN_PHONE_DIGITS:
                phones.append(digits)
    return _Contacts(label, tuple(patterns), tuple(phones))


class _ContactFold(dict):
    """str.translate's table for _fold_for_contacts, filled one character at a time as texts bring them."""

    def __missing__(self, code: int) -> str:
        char = reading._CYRILLIC_LOOKALIKES.get(chr(code), chr(code))
        lower = char.lower()
        self[code] = folded = lower if len(lower) == 1 else char
        return folded


_CONTACT_FOLD = _ContactFold()


def _fold_for_contacts(text: str) -> str:
    """Lower case with Cyrillic look-alikes read as Latin, one character for one (offsets stay)."""
    return text.translate(_CONTACT_FOLD)


def _same_phone(found: str, protected: str) -> bool:
    if len(found) < _MIN_PHONE_DIGITS:
        return False
    tail = min(len(protected), 9)
    return found.endswith(protected[-tail:]) or protected.endswith(found)


class Gate:
    """Protected names, phrases and contacts, compiled once; `find` reads a text."""

    def __init__(self, protected: Iterable[Protected]) -> None:
        self.patterns: list[_Pattern] = []
        self.contacts: list[_Contacts] = []
        for item in protected:
            for name in item.names:
                self.patterns += _name_patterns(item.label, name)
            for phrase in item.phrases:
                pattern = _phrase_pattern(item.label, phrase)
                if pattern:
                    self.patterns.append(pattern)
            if item.contacts:
                self.contacts.append(_contacts(item.label, item.contacts))
        self.index: dict[str, list[_Pattern]] = {}
        for pattern in self.patterns:
            for key in pattern.slots[0].keys:
                self.index.setdefault(key, []).append(pattern)

    def find(self, text: str) -> list[Hit]:
        """Every protected name, phrase and contact in `text` (plain or HTML), in order; adjacent parts merged."""
        if not text:
            return []
        read = reading.stream(text)
        hits = self._names(text, reading.tokens_of(read)) + self._contacts(text, read)
        return _merge(text, sorted(set(hits)))

    def _names(self, text: str, words: list[reading.Token]) -> list[Hit]:
        hits = []
        for i, token in enumerate(words):
            candidates = {id(p): p for key in _token_keys(token.norm) for p in self.index.get(key, ())}
            for pattern in candidates.values():
                last = i + len(pattern.slots)
                if last > len(words):
                    continue
                if all(_fills(slot, words[i + k]) for k, slot in enumerate(pattern.slots)):
                    start, end = token.start, words[last - 1].end
                    hits.append(Hit(start, end, text[start:end], pattern.label, pattern.matched))
        return hits

    def _contacts(self, text: str, read: reading.Stream) -> list[Hit]:
        if not self.contacts:
            return []
        folded = _fold_for_contacts(read.text)
        hits = []
        for contacts in self.contacts:
            for what, pattern in contacts.patterns:
                for match in pattern.finditer(folded):
                    start, end = read.span(match.start(), match.end())
                    hits.append(Hit(start, end, text[start:end], contacts.label, what))
            if contacts.phones:
                for match in _PHONE.finditer(folded):
                    digits = "".join(char for char in match.group() if char.isdigit())
                    for phone in contacts.phones:
                        if _same_phone(digits, phone):
                            start, end = read.span(match.start(), match.end())
                            hits.append(Hit(start, end, text[start:end], contacts.label, phone))
        return hits


_BETWEEN_PARTS = re.compile(r"(?:\s|<[^<>]*>|[\u200b-\u200f\u2060\ufeff\u00ad-])*")


def _merge(text: str, hits: list[Hit]) -> list[Hit]:
    """One hit for the parts of one name that stand together ("Анны Ивановой"); overlaps joined."""
    merged: list[Hit] = []
    for hit in hits:
        if merged:
            last = merged[-1]
            touching = hit.start <= last.end or (
                hit.protected_label == last.protected_label
                and _BETWEEN_PARTS.fullmatch(text[last.end : hit.start]) is not None
            )
            if touching and hit.protected_label == last.protected_label:
                end = max(last.end, hit.end)
                matched = last.matched if hit.matched in last.matched else f"{last.matched} {hit.matched}"
                merged[-1] = Hit(last.start, end, text[last.start : end], last.protected_label, matched)
                continue
        merged.append(hit)
    return merged


@functools.lru_cache(maxsize=64)
def compile_gate(protected: tuple[Protected, ...]) -> Gate:
    return Gate(protected)


def find_names(text: str, protected: Iterable[Protected]) -> list[Hit]:
    """Every occurrence in `text` of what `protected` holds, in any form, script or format.

    An empty list means the text may pass; any hit must stop the step (approval,
    sending, release, a public write) and be shown to staff with `in_context`.
    """
    return compile_gate(tuple(protected)).find(text)


# --- Showing hits to staff --------------------------------------------------------------


def in_context(text: str, hits: Sequence[Hit], *, width: int = 50) -> list[str]:
    """Each hit with `width` characters around it, as escaped HTML with the hit in <mark>.

    The source text is shown as written (tags escaped, not rendered), so staff
    see tricks such as a name split by tags. For staff pages only.
    """
    snippets = []
    for hit in hits:
        before = text[max(0, hit.start - width) : hit.start]
        after = text[hit.end : hit.end + width]
        snippets.append(
            ("…" if hit.start > width else "")
            + html.escape(before)
            + f'<mark title="{html.escape(hit.protected_label)}">{html.escape(text[hit.start : hit.end])}</mark>'
            + html.escape(after)
            + ("…" if hit.end + width < len(text) else "")
        )
    return snippets


def marked(text: str, hits: Sequence[Hit]) -> str:
    """The whole text as escaped HTML, every hit in <mark>: for a staff review page."""
    out, position = [], 0
    for hit in sorted(hits):
        if hit.start < position:
            continue
        out.append(html.escape(text[position : hit.start]))
        out.append(f'<mark title="{html.escape(hit.protected_label)}">{html.escape(text[hit.start : hit.end])}</mark>')
        position = hit.end
    out.append(html.escape(text[position:]))
    return "".join(out)


# --- The source's own voice -------------------------------------------------------------------

_FIRST_PERSON = {
    "en": frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"}),
    "fr": frozenset({"je", "moi", "me", "mon", "ma", "mes", "moi-même"}),
    "es": frozenset({"yo", "me", "mi", "mis", "mío", "mía", "míos", "mías", "conmigo", "soy", "estoy"}),
    "ru": frozenset({
        "я", "меня", "мне", "мной", "мною", "мой", "моя", "мое", "моё", "мои", "моего", "моей", "моему",
        "моим", "моих", "моими", "моем", "моём", "мою",
    }),
}  # fmt: skip
_FIRST_PERSON_PREFIXES = {"fr": ("j'", "m'")}
# "I" that is a numeral or a list mark: Part I, (i), article I.
_NUMERAL_BEFORE = frozenset({
    "part", "annex", "article", "chapter", "section", "volume", "phase", "war", "appendix", "schedule",
    "title", "book", "class", "type", "category", "level", "stage", "step", "option", "no", "number",
    "protocol"
})  # fmt: skip
_WE_WITH = (frozenset({"мы", "нас", "нам", "нами"}), frozenset({"с", "со"}), frozenset({"ней", "ним", "ними", "нею"}))


def _apostrophes(word: str) -> str:
    return "".join("'" if char in reading.APOSTROPHES else char for char in word)


def _is_first_person(text: str, words: list[reading.Token], i: int, language: str) -> bool:
    token = words[i]
    word = _apostrophes(token.norm)
    if len(word) == 1 and token.shape != "lower" and text[token.end : token.end + 1] == ".":
        return False  # an initial ("Я. Н.", "I. M."), as a name reference renders a withheld name
    if token.cyrillic:
        if word in _FIRST_PERSON["ru"]:
            return True
        if i + 2 < len(words) and word in _WE_WITH[0]:
            return words[i + 1].norm in _WE_WITH[1] and words[i + 2].norm in _WE_WITH[2]
        first = reading.parses(word)[0] if reading.parses(word) else None
        # A verb the dictionary knows ("являюсь", "навещала" is not 1per): a guessed word is often a name.
        return bool(first and first.is_known and {"VERB", "1per", "sing"} <= first.tag.grammemes)
    markers = _FIRST_PERSON.get(language, _FIRST_PERSON["en"])
    if word.startswith(_FIRST_PERSON_PREFIXES.get(language, ())):
        return True
    if word not in markers:
        return False
    if word == "i" and language not in ("fr", "es"):
        before = text[max(0, token.start - 1) : token.start]
        after = text[token.end : token.end + 1]
        previous = words[i - 1].norm if i else ""
        return token.shape != "lower" and before != "(" and after != ")" and previous not in _NUMERAL_BEFORE
    return True


def first_person_sentences(text: str, language: str = "en") -> list[reading.Sentence]:
    """Sentences in which someone speaks in the first person singular ("I, …, her niece", "I am his aunt",
    "Я, …", "являюсь его тётей") or as "we with her" ("мы с ней работаем"): the source's voice, which
    staff rewrite in the office's. The office's own "we" ("We have the honour") is not flagged."""
    return list(_first_person_sentences(text, language))


@functools.lru_cache(maxsize=64)
def _first_person_sentences(text: str, language: str) -> tuple[reading.Sentence, ...]:
    # Each step of a letter reads the same text again (see portal.text.stream).
    read = reading.stream(text)
    words = reading.tokens_of(read)
    found, i = [], 0
    for first, last in reading.sentences_of(read):  # in order, as the words are: one pass over both
        while i < len(words) and words[i].index < first:
            i += 1
        inside = range(i, bisect.bisect_left(words, last, lo=i, key=lambda token: token.index))
        if any(_is_first_person(text, words, j, language) for j in inside):
            found.append(reading.Sentence(*read.span(first, last), read.text[first:last]))
    return tuple(found)


# --- Initials, as a name reference renders a person an audience may not read by name ------------------


def initials(name: str) -> str:
    parts = [part for part in re.split(r"[\s\-]+", name.strip()) if part and part[0].isalpha()]
    return " ".join(f"{part[0].upper()}." for part in parts) or WITHHELD
