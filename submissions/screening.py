"""Screening rules: pure functions of a submission's answers.

Completeness, the mandate's thematic priority flags, urgency, keyword hints
in English and Russian, and name normalisation for duplicate detection.
Nothing here touches the database; submissions.services applies the results.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from portal import text
from submissions.models import (
    AgeGroup,
    ContactMethod,
    CurrentSituation,
    Element,
    Gender,
    PriorityFlag,
    ViolationType,
    WorkArea,
    WrittenConsent,
    YesNoUnknown,
)

URGENT_SITUATIONS = {
    CurrentSituation.DETAINED,
    CurrentSituation.DEATH_THREATS,
    CurrentSituation.DISAPPEARED,
    CurrentSituation.HEALTH_IN_DETENTION,
    CurrentSituation.TRIAL_IMMINENT,
    CurrentSituation.DEPORTATION_IMMINENT,
}

_VIOLATION_FLAGS = {
    ViolationType.KILLING: PriorityFlag.KILLING,
    ViolationType.ATTEMPTED_KILLING: PriorityFlag.KILLING,
    ViolationType.ARBITRARY_DETENTION: PriorityFlag.IMPRISONMENT,
    ViolationType.ONLINE_ATTACKS: PriorityFlag.ONLINE_ATTACKS,
    ViolationType.UN_REPRISALS: PriorityFlag.UN_REPRISALS,
}
_WORK_FLAGS = {
    WorkArea.BUSINESS: PriorityFlag.BUSINESS,
    WorkArea.LGBTI: PriorityFlag.LGBTI,
    WorkArea.MIGRANTS: PriorityFlag.MIGRANTS,
    WorkArea.ENVIRONMENT: PriorityFlag.LAND_ENVIRONMENT,
    WorkArea.ANTI_CORRUPTION: PriorityFlag.ANTI_CORRUPTION,
}

# Hints only: staff confirm them. Terms are compared with the words' lemmas (pymorphy3 for Russian,
# the Snowball stem for English), never as substrings: "сотрудники" holds "рудник" and "Сергей"
# holds "гей", and neither says anything about the case. A term is a word (any of its forms), a
# phrase of such words (alternatives split by |), "word*" for the lemmas that begin with it,
# "=word" for that exact written word only, "!WORD" for that word in capitals.
_KEYWORDS = {
    PriorityFlag.KILLING: ["kill*", "murder*", "shot dead", "убить", "убийство", "убитый", "убийца", "застрелить"],
    PriorityFlag.IMPRISONMENT: [
        "prison*", "imprison*", "sentence", "jail*", "colony", "тюрьма", "колония", "лишение свобода", "приговор",
        "приговорить",
    ],
    PriorityFlag.ONLINE_ATTACKS: [
        "online", "social media", "hack*", "doxx*", "интернет", "соцсеть", "социальный сеть", "взлом", "взломать",
        "травля",
    ],
    PriorityFlag.BUSINESS: [
        "company", "compani*", "corporat*", "=mining", "=mines", "miner", "компания", "корпорация", "рудник", "шахта",
        "шахтёр", "горнодобывающий",
    ],
    PriorityFlag.WOMEN: ["woman", "women", "женщина"],
    PriorityFlag.LGBTI: ["lgbt*", "gay", "lesbian*", "transgender*", "лгбт*", "гей", "лесбиянка", "трансгендер*"],
    PriorityFlag.CHILD: [
        "child*", "minor", "school student|girl|boy|pupil", "schoolgirl", "schoolboy", "ребёнок", "несовершеннолет*",
        "школьник", "школьница",
    ],
    PriorityFlag.DISABILITY: ["disab*", "wheelchair", "инвалид*", "ограниченный возможность"],
    PriorityFlag.MIGRANTS: ["refugee*", "migrant*", "asylum", "беженец", "беженка", "мигрант*", "убежище"],
    PriorityFlag.LAND_ENVIRONMENT: [
        "land", "environment*", "indigenous", "pasture*", "forest*", "земля", "земельный", "эколог*", "коренной",
        "пастбище", "лес", "лесной",
    ],
    PriorityFlag.REMOTE: ["remote", "isolated", "mountain village", "отдалённый", "горный село|кишлак|аул"],
    PriorityFlag.ANTI_CORRUPTION: ["corrupt*", "brib*", "коррупц*", "взятка"],
    PriorityFlag.UN_REPRISALS: [
        "!UN", "united nations", "human rights council", "!ООН", "совет по право человек",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class _Term:
    slots: tuple[tuple[str, ...], ...]  # per word, its alternatives


def _alternative_matches(alternative: str, norm: str, shape: str) -> bool:
    if alternative.startswith("!"):
        return shape == "upper" and norm == alternative[1:].casefold()
    if alternative.startswith("="):
        return norm == alternative[1:]
    word_lemmas = text.lemmas(norm, "en")
    if alternative.endswith("*"):
        prefix = alternative[:-1]
        return any(lemma.startswith(prefix) for lemma in word_lemmas)
    return bool(word_lemmas & _term_lemmas(alternative))


@functools.lru_cache(maxsize=1024)
def _term_lemmas(word: str) -> frozenset[str]:
    if any(text.is_cyrillic(char) for char in word):
        return frozenset({word.replace("ё", "е")})
    return text.lemmas(word, "en")


_TERMS = {
    flag: [_Term(tuple(tuple(slot.split("|")) for slot in term.split())) for term in terms]
    for flag, terms in _KEYWORDS.items()
}
_ALTERNATIVES = tuple(
    dict.fromkeys(
        alternative for terms in _TERMS.values() for term in terms for slot in term.slots for alternative in slot
    )
)


@functools.lru_cache(maxsize=100_000)
def _matches(norm: str, shape: str) -> frozenset[str]:
    """The terms' alternatives a word matches. Worked out once per word and process: a narrative repeats
    its words, and most words of one report are in the next."""
    return frozenset(alternative for alternative in _ALTERNATIVES if _alternative_matches(alternative, norm, shape))


def _has_term(words: list[frozenset[str]], term: _Term) -> bool:
    width = len(term.slots)
    for i in range(len(words) - width + 1):
        window = zip(words[i : i + width], term.slots, strict=True)
        if all(not matches.isdisjoint(slot) for matches, slot in window):
            return True
    return False


@dataclass(frozen=True)
class Screening:
    missing: list[str]
    flags: list[str]
    suggested_flags: list[str]
    urgent: bool

    @property
    def priority(self) -> int:
        return len(self.flags)


def missing_elements(submission, defenders: list, consent) -> list[str]:
    present = {
        Element.VICTIM: any(d.name.strip() for d in defenders),
        Element.WORK: any(d.work_description.strip() for d in defenders),
        Element.PERPETRATOR: bool(submission.perpetrators.strip()),
        Element.DATE: bool(submission.incident_date or submission.incident_dates_detail.strip()),
        Element.PLACE: bool(submission.place.strip()),
        Element.DESCRIPTION: bool(submission.description.strip()),
        Element.SOURCE_CONTACT: submission.contact_method != ContactMethod.RECEIPT_ONLY
        and bool(submission.contact_details.strip()),
        Element.CONSENT: consent is not None
        and not consent.withdrawn
        and consent.written_consent != WrittenConsent.NOT_YET,
    }
    return [element.value for element, ok in present.items() if not ok]


def priority_flags(submission, defenders: list) -> list[str]:
    flags = {_VIOLATION_FLAGS[v] for v in submission.violation_types if v in _VIOLATION_FLAGS}
    for defender in defenders:
        flags |= {_WORK_FLAGS[a] for a in defender.work_areas if a in _WORK_FLAGS}
        if defender.gender == Gender.WOMAN or WorkArea.WOMEN in defender.work_areas:
            flags.add(PriorityFlag.WOMEN)
        if defender.age_group == AgeGroup.CHILD:
            flags.add(PriorityFlag.CHILD)
        if defender.has_disability == YesNoUnknown.YES:
            flags.add(PriorityFlag.DISABILITY)
        if defender.remote_area:
            flags.add(PriorityFlag.REMOTE)
        if defender.cooperated_with_un == YesNoUnknown.YES and ViolationType.UN_REPRISALS in submission.violation_types:
            flags.add(PriorityFlag.UN_REPRISALS)
    return sorted(flag.value for flag in flags)


def keyword_hints(texts: Iterable[str], already: Iterable[str]) -> list[str]:
    """Flags the narrative suggests, word by word; staff confirm them."""
    words = [_matches(word.norm, word.shape) for piece in texts for word in text.tokens(piece)]
    matched = frozenset().union(*words)
    found = {
        flag.value
        for flag, terms in _TERMS.items()
        if any(not matched.isdisjoint(term.slots[0]) and _has_term(words, term) for term in terms)
    }
    return sorted(found - set(already))


def is_urgent(submission) -> bool:
    if URGENT_SITUATIONS & set(submission.current_situation):
        return True
    return ViolationType.DISAPPEARANCE in submission.violation_types and not submission.incident_dates_detail


def screen(submission, defenders: list, consent) -> Screening:
    flags = priority_flags(submission, defenders)
    narrative = [submission.description, submission.current_risk, *(d.work_description for d in defenders)]
    return Screening(
        missing=missing_elements(submission, defenders, consent),
        flags=flags,
        suggested_flags=keyword_hints(narrative, flags),
        urgent=is_urgent(submission),
    )


# --- Names ------------------------------------------------------------------

# The table lives in portal.text (the name gate reads names with it too). The folds below make
# the keys of the stored fingerprints: changing them changes every key, so they stay as they are.
transliterate = text.transliterate
_FOLDS = [
    (r"shch", "sh"),
    (r"dzh|dj|zh", "j"),
    (r"kh|x", "h"),
    (r"gh", "g"),
    (r"ts", "c"),
    (r"q", "k"),
    (r"w", "v"),
    (r"y", "i"),
    (r"(?<=[aeiou])i(?=[aeiou])", ""),
    (r"(.)\1+", r"\1"),
]


def _fold(word: str) -> str:
    for pattern, replacement in _FOLDS:
        word = re.sub(pattern, replacement, word)
    return word


def name_tokens(name: str) -> list[str]:
    """A name as comparable parts: 'Ульфатхоним Мамадшоева' and 'Ulfathonim Mamadshoeva' give the same."""
    latin = transliterate(name)
    latin = "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))
    words = re.findall(r"[a-z]+", latin)
    return [_fold(word) for word in words if word]


# A Russian-style patronymic (Nurlanovna, Нурланович): shared by every child of a father with a
# common first name, so it does not tell people apart.
_PATRONYMIC = re.compile(r"(ov|ev|iev|in)(na|ic|ich)$|(ic|ichn|inichn)a$")


def name_keys(name: str) -> tuple[str, list[str]]:
    """The whole name (parts in any order) and the parts that tell people apart.

    Two submissions are possible duplicates when the whole name, or two of these
    parts, are alike. A patronymic is not among the parts: "Aigerim Nurlanovna
    Bekova" and "Aigerim Nurlanovna Sultanova" share a first name and a
    patronymic, not a surname, and are two people.
    """
    tokens = name_tokens(name)
    parts = {token for token in tokens if len(token) >= 4 and not _PATRONYMIC.search(token)}
    return " ".join(sorted(tokens)), sorted(parts)
