"""What a new letter should be, proposed from the cases it is about: its type, its recipient and its language.

Only a proposal: staff see each one with its reason on the draft form and may change it. A wrong default
(every letter an urgent appeal to "OTH") was easy to miss, so the proposal says why it chose what it chose."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django_countries import countries

from communications.models import Kind, Language
from submissions.models import CurrentSituation, PerpetratorKind, Submission, ViolationType

# An urgent appeal is for a violation going on now or about to happen; a past one gets an allegation letter.
URGENT_SITUATIONS = frozenset(CurrentSituation.values)
URGENT_VIOLATIONS = frozenset({ViolationType.DEATH_THREATS, ViolationType.DISAPPEARANCE})

# The language the office usually writes to a State in, where it is not English (by alpha-2 code).
_RUSSIAN = "AM AZ BY KG KZ RU TJ TM UZ"
_FRENCH = "BE BF BI BJ CD CF CG CI CM DJ DZ FR GA GN HT KM LU MA MC MG ML MR NE RW SN TD TG TN"
_SPANISH = "AR BO CL CO CR CU DO EC ES GQ GT HN MX NI PA PE PY SV UY VE"
LETTER_LANGUAGE = {
    code: language
    for codes, language in [(_RUSSIAN, Language.RU), (_FRENCH, Language.FR), (_SPANISH, Language.ES)]
    for code in codes.split()
}
OTHER_RECIPIENT = "OTH"


@dataclass
class Proposal:
    kind: str
    recipient: str
    language: str
    reasons: dict[str, str] = field(default_factory=dict)


def _why_urgent(case: Submission) -> str:
    situations = [CurrentSituation(s).label for s in case.current_situation if s in URGENT_SITUATIONS]
    violations = [ViolationType(v).label for v in case.violation_types if v in URGENT_VIOLATIONS]
    found = [str(label).lower() for label in [*situations, *violations]]
    if found:
        return f"{case.reference}: {', '.join(found)}"
    return f"{case.reference}: screened as urgent" if case.urgent else ""


def communication_propose(submissions: Sequence[Submission]) -> Proposal | None:
    """The type, recipient and language for a letter about these cases; None without cases."""
    if not submissions:
        return None
    urgent = [why for why in map(_why_urgent, submissions) if why]
    if urgent:
        kind, kind_reason = Kind.UA, "Urgent appeal: ongoing or imminent (" + "; ".join(urgent) + ")."
    else:
        kind, kind_reason = (
            Kind.AL,
            "Allegation letter: no case reports an ongoing detention, threats or imminent risk.",
        )

    country, _n = Counter(case.country.code for case in submissions).most_common(1)[0]
    name = countries.name(country)
    if all(case.perpetrator_kind == PerpetratorKind.NON_STATE for case in submissions):
        recipient = OTHER_RECIPIENT
        recipient_reason = f"OTH: the cases name only non-State perpetrators (in {name}). Name the company or group."
    else:
        recipient = countries.alpha3(country)
        recipient_reason = f"{recipient}: the State where it happened ({name})."
    language = LETTER_LANGUAGE.get(country, Language.EN)
    language_reason = f"{Language(language).label}: the usual language of letters to {name}."
    return Proposal(
        kind=kind,
        recipient=recipient,
        language=language,
        reasons={"kind": kind_reason, "recipient": recipient_reason, "language": language_reason},
    )
