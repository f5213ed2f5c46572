"""A first draft of a letter, in the office's voice, generated from the accepted submissions it concerns.

The facts are stated in the third person ("According to the information received, …") from the
report's structured answers: who (a name reference per victim, see communications.references), what
(the violations), when, where, the alleged perpetrators, the current situation and the steps taken.
The source's narrative is never pasted: staff read it beside the draft on the letter's page and write
from it. A short free-text answer (the perpetrators, the risk, the steps taken) is used only when it
holds no sentence in the first person and nothing of the source (name, contact, relationship);
otherwise the draft says "[TO COMPLETE: …]", which the gate refuses until staff write it.

Victims are referred to as `[[person:<id>]]`, rendered per audience and consent; the source has no
reference and is never written; a victim who reported their own case is a victim like any other.
"""

from dataclasses import dataclass, field
from html import escape

from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext, gettext_noop, pgettext

from communications import gate, references
from communications.gate import TO_COMPLETE  # the marker the gate refuses
from communications.models import LetterTemplate, NormParagraph
from communications.names import find_names, first_person_sentences
from communications.references import GOVERNMENT

# The mandate's title as a letter gives it, in the letter's language (also the PDF's signature).
SIGNATORY = gettext_noop("Special Rapporteur on the situation of human rights defenders")


def mandate_title(name: str) -> str:
    """A mandate's title in the active language: the mandates' titles are in the catalogue (communications.mandates);
    one added later by an administrator stays as it was typed until it is translated."""
    return gettext(name)


def phrases() -> dict[str, str]:
    """The office's phrasing of the facts, in the active language, from the translation catalogue."""
    return {
        "who": pgettext(
            "letter", "According to the information received, {person} is a human rights defender{work}{where}."
        ),
        "group": pgettext(
            "letter",
            "According to the information received, {person} is a group of human rights defenders{work}{where}.",
        ),
        "organisation": pgettext(
            "letter", "According to the information received, {person} is a human rights organisation{work}{where}."
        ),
        "work": pgettext("letter", " working on {areas}"),
        "in": pgettext("letter", " in {place}"),
        "what": pgettext("letter", "It is alleged that{when}{where}, {person} was subjected to {violations}."),
        "on": pgettext("letter", " on {date}"),
        "perpetrators": pgettext("letter", "The alleged perpetrators are reported to be {kind}{detail}."),
        "situation": pgettext("letter", "At the time of writing, the situation is reported as follows: {items}."),
        "risk": pgettext("letter", "Concerns are expressed that {person} remains at risk: {risk}"),
        "steps": pgettext("letter", "The following steps are reported to have been taken: {steps}"),
        # TO_COMPLETE opens it in every language: the gate refuses a letter that still has one.
        "complete": TO_COMPLETE + ": " + pgettext("letter", "{what}, in the office's voice, from the report shown "
                                                  "beside the draft") + "]",
        "violations": pgettext("letter", "the violations"),
        "perpetrators_to_write": pgettext("letter", "the perpetrators"),
        "risk_to_write": pgettext("letter", "the current risk"),
        "steps_to_write": pgettext("letter", "the steps taken"),
        "and": pgettext("letter", " and "),
    }  # fmt: skip


def language_phrases(language: str) -> dict[str, str]:
    with translation.override(language):
        return phrases()


@dataclass
class Draft:
    body: str
    warnings: list[str] = field(default_factory=list)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.split("\n\n") if line.strip())


def _joined(items: list[str], words: dict) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + words["and"] + items[-1]


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)).lower()


class _Answers:
    """A submission's free-text answers, usable in the office's letter only when they are clean."""

    def __init__(self, submission, warnings: list[str]) -> None:
        self.submission = submission
        self.warnings = warnings
        # Only the source: a victim's name in an answer is written through the references instead.
        self.source = gate.protected_of([submission], GOVERNMENT, source_only=True)

    def clean(self, value: str, what: str) -> str | None:
        value = " ".join(value.split())
        if not value:
            return ""
        if first_person_sentences(value, self.submission.language) or find_names(value, self.source):
            self.warnings.append(
                f"{self.submission.reference}: the answer “{what}” is in the source's voice or names the source; "
                "the draft leaves a [TO COMPLETE] for you to write it in the office's voice."
            )
            return None
        return value


def _facts(submissions, language: str, warnings: list[str]) -> str:
    from submissions.models import CurrentSituation, PerpetratorKind, ViolationType, WorkArea

    words = phrases()  # under translation.override(language): see draft_letter
    parts = []
    for submission in submissions:
        answers = _Answers(submission, warnings)
        government = submission.may_name_to_government()
        persons = []
        for defender in submission.defenders.all():
            person = references.token(defender)
            persons.append(person)
            if not government:
                warnings.append(
                    f"{submission.reference}: a victim did not agree to be named to the government; the letter "
                    f"refers to them as {person}, which the government copy renders as initials. "
                    "Do not type the name."
                )
            areas = _joined([_label(WorkArea.choices, area) for area in defender.work_areas], words)
            region = answers.clean(defender.region, "region or town") or ""
            where = ", ".join(filter(None, [region, str(defender.country.name) if defender.country else ""]))
            kind = defender.kind if defender.kind in ("group", "organisation") else "who"
            parts.append(
                words[kind].format(
                    person=person,
                    work=words["work"].format(areas=areas) if areas else "",
                    where=words["in"].format(place=where) if where else "",
                )
            )
        who = _joined(persons, words)
        when = ""
        if submission.incident_date:
            date = formats.date_format(submission.incident_date, "DATE_FORMAT")
            when = words["on"].format(date=date)
        place = answers.clean(submission.place, "place")
        where = ", ".join(filter(None, [place or "", str(submission.country.name)]))
        violations = [_label(ViolationType.choices, v) for v in submission.violation_types if v != "other"]
        violations = _joined(violations, words) or words["complete"].format(what=words["violations"])
        parts.append(
            words["what"].format(
                when=when, where=words["in"].format(place=where) if where else "", person=who,
                violations=violations,
            )
        )  # fmt: skip
        if submission.perpetrator_kind and submission.perpetrator_kind != "unknown":
            detail = answers.clean(submission.perpetrators, "alleged perpetrators")
            detail = words["complete"].format(what=words["perpetrators_to_write"]) if detail is None else detail
            kind = _label(PerpetratorKind.choices, submission.perpetrator_kind)
            parts.append(words["perpetrators"].format(kind=kind, detail=f" ({detail})" if detail else ""))
        situation = [_label(CurrentSituation.choices, item) for item in submission.current_situation]
        if situation:
            parts.append(words["situation"].format(items=_joined(situation, words)))
        risk = answers.clean(submission.current_risk, "current risk")
        if risk is None:
            parts.append(words["complete"].format(what=words["risk_to_write"]))
        elif risk:
            parts.append(words["risk"].format(person=who, risk=_sentence(risk)))
        steps = answers.clean(submission.steps_taken, "steps already taken")
        if steps is None:
            parts.append(words["complete"].format(what=words["steps_to_write"]))
        elif steps:
            parts.append(words["steps"].format(steps=_sentence(steps)))
    return "".join(f"<p>{escape(part)}</p>" for part in parts)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _norms(language: str, topics: set[str]) -> str:
    norms = NormParagraph.objects.filter(language=language).filter(
        Q(topics__overlap=sorted(topics)) | Q(topics__contains=["always"])
    )
    return "".join(f"<p><strong>{escape(n.title)}.</strong> {escape(n.text)}</p>" for n in norms)


def draft_letter(*, kind: str, language: str, submissions, mandates, recipient_name: str) -> Draft:
    template = LetterTemplate.objects.filter(kind=kind, language=language).first()
    if template is None:
        template = LetterTemplate.objects.get(kind=kind, language="en")
    warnings: list[str] = []
    topics = set()
    for submission in submissions:
        topics |= set(submission.violation_types)
        for defender in submission.defenders.all():
            topics |= set(defender.work_areas)
    # Every fixed phrase in the letter's language, whatever the language of the staff member's screen.
    with translation.override(language):
        signing = ", ".join([gettext(SIGNATORY), *(mandate_title(str(mandate)) for mandate in mandates)])
        questions = "".join(f"<li>{escape(q.strip())}</li>" for q in template.questions.splitlines() if q.strip())
        body = "".join(
            [
                _paragraphs(template.opening.replace("{mandates}", signing).replace("{recipient}", recipient_name)),
                _paragraphs(template.facts_intro),
                _facts(submissions, language, warnings),
                _paragraphs(template.concerns),
                _paragraphs(template.norms_intro),
                _norms(language, topics),
                f"<ol>{questions}</ol>",
                _paragraphs(template.closing),
            ]
        )
    return Draft(body=body, warnings=warnings)
