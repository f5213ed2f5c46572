"""Screening rules: pure functions of a submission's answers.

Completeness, the mandate's thematic priority flags, urgency, keyword hints
in English and Russian, and name normalisation for duplicate detection.
Nothing here touches the database; submissions.services applies the results.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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

# Hints only: staff confirm them. Stems so that Russian endings still match.
_KEYWORDS = {
    PriorityFlag.KILLING: r"\bkill|\bmurder|\bshot dead|убил|убит|убийств|застрел",
    PriorityFlag.IMPRISONMENT: r"prison|sentenced|years? in (jail|a colony)|тюрьм|колони|лишени\w* свободы|приговор",
    PriorityFlag.ONLINE_ATTACKS: r"online|social media|hack|doxx|интернет|соцсет|взлом|травл",
    PriorityFlag.BUSINESS: r"compan|corporat|\bmine\b|mining|компани|корпорац|рудник|шахт",
    PriorityFlag.WOMEN: r"\bwoman\b|\bwomen\b|женщин",
    PriorityFlag.LGBTI: r"lgbt|\bgay\b|lesbian|transgender|лгбт|гей|лесби|трансгендер",
    PriorityFlag.CHILD: r"\bchild|\bminor\b|school ?(girl|boy|student)|ребён|ребен|несовершеннолет|школьни",
    PriorityFlag.DISABILITY: r"disab|wheelchair|инвалид|ограниченн\w* возможност",
    PriorityFlag.MIGRANTS: r"refugee|migrant|asylum|беженц|мигрант|убежищ",
    PriorityFlag.LAND_ENVIRONMENT: r"\bland\b|environment|indigenous|pasture|forest|земл|эколог|коренн|пастбищ|лес",
    PriorityFlag.REMOTE: r"remote|isolated|mountain village|отдалённ|отдаленн|горн\w* (село|кишлак)",
    PriorityFlag.ANTI_CORRUPTION: r"corrupt|brib|коррупц|взятк",
    PriorityFlag.UN_REPRISALS: r"\bUN\b|United Nations|Human Rights Council|\bООН\b|Совет\w* по правам человека",
}
_KEYWORD_PATTERNS = {flag: re.compile(pattern, re.IGNORECASE) for flag, pattern in _KEYWORDS.items()}


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
    text = "\n".join(texts)
    found = {flag.value for flag, pattern in _KEYWORD_PATTERNS.items() if pattern.search(text)}
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

# Cyrillic as used for Russian, Tajik, Kazakh, Kyrgyz, Uzbek and Turkmen, to
# plain Latin. Variants are folded further by _fold below.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ғ": "gh", "қ": "q", "ҳ": "h", "ҷ": "j", "ӣ": "i", "ӯ": "u", "ә": "a",
    "ө": "o", "ү": "u", "ұ": "u", "і": "i", "ң": "ng", "ў": "u", "һ": "h", "җ": "j",
}  # fmt: skip
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


def transliterate(text: str) -> str:
    """Cyrillic letters in Latin (lower case), the rest unchanged."""
    return "".join(_CYRILLIC.get(char, char) for char in unicodedata.normalize("NFKC", text).lower())


def name_tokens(name: str) -> list[str]:
    """A name as comparable parts: 'Ульфатхоним Мамадшоева' and 'Ulfathonim Mamadshoeva' give the same."""
    text = transliterate(name)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.findall(r"[a-z]+", text)
    return [_fold(word) for word in words if word]


def name_keys(name: str) -> tuple[str, list[str]]:
    """The whole name (parts in any order) and the parts long enough to tell people apart."""
    tokens = name_tokens(name)
    return " ".join(sorted(tokens)), sorted({token for token in tokens if len(token) >= 4})
