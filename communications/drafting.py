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

from communications import gate, references
from communications.gate import TO_COMPLETE  # noqa: F401  (the marker the gate refuses)
from communications.models import LetterTemplate, NormParagraph
from communications.names import find_names, first_person_sentences
from communications.references import GOVERNMENT

# The office's phrasing of the facts, per letter language (English for any other).
PHRASES = {
    "en": {
        "who": "According to the information received, {person} is a human rights defender{work}{where}.",
        "group": "According to the information received, {person} is a group of human rights defenders{work}{where}.",
        "organisation": "According to the information received, {person} is a human rights organisation{work}{where}.",
        "work": " working on {areas}",
        "in": " in {place}",
        "what": "It is alleged that{when}{where}, {person} was subjected to {violations}.",
        "on": " on {date}",
        "perpetrators": "The alleged perpetrators are reported to be {kind}{detail}.",
        "situation": "At the time of writing, the situation is reported as follows: {items}.",
        "risk": "Concerns are expressed that {person} remains at risk: {risk}",
        "steps": "The following steps are reported to have been taken: {steps}",
        "complete": "[TO COMPLETE: {what}, in the office's voice, from the report shown beside the draft]",
        "and": " and ",
    },
    "ru": {
        "who": "Согласно полученной информации, {person} является правозащитником{work}{where}.",
        "group": "Согласно полученной информации, {person} является группой правозащитников{work}{where}.",
        "organisation": "Согласно полученной информации, {person} является правозащитной организацией{work}{where}.",
        "work": ", работающим в области: {areas}",
        "in": " ({place})",
        "what": "Утверждается, что{when}{where} {person} подвергся(-лась) следующему: {violations}.",
        "on": " {date}",
        "perpetrators": "Предполагаемые виновные: {kind}{detail}.",
        "situation": "На момент написания сообщается: {items}.",
        "risk": "Выражается обеспокоенность тем, что {person} по-прежнему подвергается опасности: {risk}",
        "steps": "Сообщается о следующих предпринятых шагах: {steps}",
        "complete": "[TO COMPLETE: {what} — от лица Специального докладчика, по сообщению рядом с проектом]",
        "and": " и ",
    },
    "fr": {
        "who": "Selon les informations reçues, {person} est un défenseur des droits humains{work}{where}.",
        "group": "Selon les informations reçues, {person} est un groupe de défenseurs des droits humains{work}{where}.",
        "organisation": "Selon les informations reçues, {person} est une organisation de défense des droits "
        "humains{work}{where}.",
        "work": " travaillant dans le domaine suivant : {areas}",
        "in": " à {place}",
        "what": "Il est allégué que{when}{where}, {person} a fait l'objet de : {violations}.",
        "on": " le {date}",
        "perpetrators": "Les auteurs présumés seraient : {kind}{detail}.",
        "situation": "Au moment de la rédaction, la situation serait la suivante : {items}.",
        "risk": "Des préoccupations sont exprimées quant au risque que court toujours {person} : {risk}",
        "steps": "Les démarches suivantes auraient été entreprises : {steps}",
        "complete": "[TO COMPLETE: {what}, au nom du Rapporteur spécial, d'après la communication reçue]",
        "and": " et ",
    },
    "es": {
        "who": "Según la información recibida, {person} es un defensor de derechos humanos{work}{where}.",
        "group": "Según la información recibida, {person} es un grupo de defensores de derechos humanos{work}{where}.",
        "organisation": "Según la información recibida, {person} es una organización de derechos humanos{work}{where}.",
        "work": " que trabaja en: {areas}",
        "in": " en {place}",
        "what": "Se alega que{when}{where}, {person} fue objeto de: {violations}.",
        "on": " el {date}",
        "perpetrators": "Los presuntos responsables serían: {kind}{detail}.",
        "situation": "En el momento de redactar, la situación sería la siguiente: {items}.",
        "risk": "Se expresa preocupación por que {person} siga en riesgo: {risk}",
        "steps": "Se habrían tomado las siguientes medidas: {steps}",
        "complete": "[TO COMPLETE: {what}, en la voz de la oficina, a partir de la comunicación recibida]",
        "and": " y ",
    },
}
_DATE_FORMAT = {"ru": "j E Y"}


@dataclass
class Draft:
    body: str
    warnings: list[str] = field(default_factory=list)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.split("\n\n") if line.strip())


def _joined(items: list[str], phrases: dict) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + phrases["and"] + items[-1]


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

    phrases = PHRASES.get(language, PHRASES["en"])
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
            areas = _joined([_label(WorkArea.choices, area) for area in defender.work_areas], phrases)
            region = answers.clean(defender.region, "region or town") or ""
            where = ", ".join(filter(None, [region, str(defender.country.name) if defender.country else ""]))
            kind = defender.kind if defender.kind in ("group", "organisation") else "who"
            parts.append(
                phrases[kind].format(
                    person=person,
                    work=phrases["work"].format(areas=areas) if areas else "",
                    where=phrases["in"].format(place=where) if where else "",
                )
            )
        who = _joined(persons, phrases)
        when = ""
        if submission.incident_date:
            date = formats.date_format(submission.incident_date, _DATE_FORMAT.get(language, "j F Y"))
            when = phrases["on"].format(date=date)
        place = answers.clean(submission.place, "place")
        where = ", ".join(filter(None, [place or "", str(submission.country.name)]))
        violations = [_label(ViolationType.choices, v) for v in submission.violation_types if v != "other"]
        violations = _joined(violations, phrases) or phrases["complete"].format(what="the violations")
        parts.append(
            phrases["what"].format(
                when=when, where=phrases["in"].format(place=where) if where else "", person=who,
                violations=violations,
            )
        )  # fmt: skip
        if submission.perpetrator_kind and submission.perpetrator_kind != "unknown":
            detail = answers.clean(submission.perpetrators, "alleged perpetrators")
            detail = phrases["complete"].format(what="the perpetrators") if detail is None else detail
            kind = _label(PerpetratorKind.choices, submission.perpetrator_kind)
            parts.append(phrases["perpetrators"].format(kind=kind, detail=f" ({detail})" if detail else ""))
        situation = [_label(CurrentSituation.choices, item) for item in submission.current_situation]
        if situation:
            parts.append(phrases["situation"].format(items=_joined(situation, phrases)))
        risk = answers.clean(submission.current_risk, "current risk")
        if risk is None:
            parts.append(phrases["complete"].format(what="the current risk"))
        elif risk:
            parts.append(phrases["risk"].format(person=who, risk=_sentence(risk)))
        steps = answers.clean(submission.steps_taken, "steps already taken")
        if steps is None:
            parts.append(phrases["complete"].format(what="the steps taken"))
        elif steps:
            parts.append(phrases["steps"].format(steps=_sentence(steps)))
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
    signing = ", ".join(["Special Rapporteur on the situation of human rights defenders", *map(str, mandates)])
    with translation.override(language):
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
