"""A first draft of a letter, generated from the accepted submissions it concerns.

The draft follows the letter template of its kind and language, quotes the
facts from the submissions, and picks paragraphs of international law from
the norms library by the violations and areas of work involved. A defender
who did not agree to be named to the government appears only by initials;
the source never appears at all.
"""

from dataclasses import dataclass, field
from html import escape

from django.db.models import Q
from django.utils import translation

from communications.models import LetterTemplate, NormParagraph
from communications.names import initials


@dataclass
class Draft:
    body: str
    warnings: list[str] = field(default_factory=list)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.split("\n\n") if line.strip())


def _named(defender, submission) -> tuple[str, bool]:
    if submission.may_name_to_government():
        return defender.name, True
    return initials(defender.name), False


def _facts(submissions, warnings: list[str]) -> str:
    parts = []
    for submission in submissions:
        people = []
        for defender in submission.defenders.all():
            name, named = _named(defender, submission)
            if not named:
                warnings.append(
                    f"{submission.reference}: a defender did not agree to be named to the government; "
                    f"the draft uses the initials {name}. Do not add the name."
                )
            people.append(f"<strong>{escape(name)}</strong>, {escape(defender.work_description.strip())}")
        parts.append(f"<p>{'; '.join(people)}.</p>")
        when = submission.incident_date.isoformat() if submission.incident_date else ""
        place = ", ".join(filter(None, [submission.place.strip(), submission.country.name]))
        parts.append(
            f"<p>{escape(' '.join(filter(None, [when, place])))}: {escape(submission.description.strip())}</p>"
        )
        if submission.current_risk.strip():
            parts.append(f"<p>{escape(submission.current_risk.strip())}</p>")
    return "".join(parts)


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
                _facts(submissions, warnings),
                _paragraphs(template.concerns),
                _paragraphs(template.norms_intro),
                _norms(language, topics),
                f"<ol>{questions}</ol>",
                _paragraphs(template.closing),
            ]
        )
    return Draft(body=body, warnings=warnings)
