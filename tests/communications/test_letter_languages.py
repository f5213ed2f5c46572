"""Letters drafted in French, Spanish and Russian from the template library of each language."""

import io
from html import unescape

import pytest
from pypdf import PdfReader

from communications import services
from communications.drafting import draft_letter, language_phrases
from communications.models import LetterTemplate, Mandate, NormParagraph
from communications.pdf import letter_pdf
from tests.support.factories import make_accepted_submission, make_staff_user

pytestmark = pytest.mark.django_db

# language: (a phrase of the opening, the torture paragraph's title, a phrase of its text, a phrase of the closing)
LANGUAGES = {
    "fr": (
        "Nous avons l'honneur de nous adresser à vous en notre qualité de",
        "Convention contre la torture",
        "Convention contre la torture et autres peines ou traitements cruels, inhumains ou dégradants",
        "dans un délai de 60 jours",
    ),
    "es": (
        "Tenemos el honor de dirigirnos a Usted en nuestra calidad de",
        "Convención contra la Tortura",
        "Convención contra la Tortura y Otros Tratos o Penas Crueles, Inhumanos o Degradantes",
        "en un plazo de 60 días",
    ),
    "ru": (
        "Имеем честь обратиться к Вам в качестве",
        "Конвенция против пыток",
        "Конвенции против пыток и других жестоких, бесчеловечных или унижающих достоинство видов обращения",
        "в течение 60 дней",
    ),
}

FIELDS = ["opening", "facts_intro", "concerns", "norms_intro", "questions", "closing"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_english_template_kind_has_one_in_the_language(language):
    for english in LetterTemplate.objects.filter(language="en"):
        template = LetterTemplate.objects.get(kind=english.kind, language=language)
        assert "{mandates}" in template.opening
        for name in FIELDS:
            text, original = getattr(template, name), getattr(english, name)
            assert text.strip() and text != original, (english.kind, name)
            # The same paragraphs, and the same questions one a line.
            assert text.count("\n\n") == original.count("\n\n"), (english.kind, name)
            assert len(text.splitlines()) == len(original.splitlines()), (english.kind, name)
        assert "60" in template.closing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_english_norm_has_one_in_the_language_with_the_same_topics_and_order(language):
    english = list(NormParagraph.objects.filter(language="en"))
    assert english
    translated = {norm.code: norm for norm in NormParagraph.objects.filter(language=language)}
    assert set(translated) == {norm.code for norm in english}
    for norm in english:
        other = translated[norm.code]
        assert other.topics == norm.topics
        assert other.order == norm.order
        assert other.title and other.text and other.text != norm.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_urgent_appeal_is_drafted_in_the_language(language):
    opening, torture_title, torture_text, closing = LANGUAGES[language]
    submission = make_accepted_submission(country="TJ", violation_types=["torture"])

    draft = draft_letter(
        kind="UA", language=language, submissions=[submission], mandates=[], recipient_name="Tajikistan"
    )
    body = unescape(draft.body)

    assert opening in body
    assert closing in body
    assert "{mandates}" not in body
    assert TITLES[language][0] in body
    assert "Special Rapporteur on the situation of human rights defenders" not in body
    # The norms come from the library of the language: the torture paragraph, and the Declaration always.
    assert f"<strong>{torture_title}.</strong>" in body
    assert torture_text in body
    declaration = NormParagraph.objects.get(code="declaration-hrd", language=language)
    assert declaration.title in body
    # Nothing of the English library.
    assert "We have the honour" not in body
    assert "Convention against Torture" not in body
    assert "Declaration on Human Rights Defenders" not in body
    # A norm for another topic is not picked.
    assert NormParagraph.objects.get(code="un-reprisals", language=language).title not in body
    # The questions, one an item.
    template = LetterTemplate.objects.get(kind="UA", language=language)
    assert body.count("<li>") == len(template.questions.splitlines())
    # The facts in the office's voice, in the language of the letter; the source's narrative is never pasted.
    facts_opening = language_phrases(language)["who"].split("{person}")[0]
    assert facts_opening in body
    assert submission.description.strip() not in body


# --- Wholly in its language: the fixed phrases of the draft and of the PDF, from the catalogue -------------

# language: (the mandate's title, a co-signing mandate's title, the PDF's "Reference" label, a violation's label)
TITLES = {
    "ru": (
        "Специальный докладчик по вопросу о положении правозащитников",
        "Рабочая группа по произвольным задержаниям",
        "Исх. №",
        "произвольный арест",
    ),
    "fr": (
        "Rapporteur spécial sur la situation des défenseurs des droits de l'homme",
        "Groupe de travail sur la détention arbitraire",
        "Référence",
        "arrestation ou détention arbitraire",
    ),
    "es": (
        "Relator Especial sobre la situación de los defensores de los derechos humanos",
        "Grupo de Trabajo sobre la Detención Arbitraria",
        "Referencia",
        "arresto o detención arbitraria",
    ),
}
# What the English letter, its template and its PDF say in fixed words; none may be left in another language.
ENGLISH = [
    "Special Rapporteur on the situation of human rights defenders",
    "Working Group on Arbitrary Detention",
    "According to the information received",
    "is a human rights defender",
    "working on",
    "It is alleged that",
    "was subjected to",
    "arbitrary arrest or detention",
    "The alleged perpetrators are reported to be",
    "State (police",
    "At the time of writing",
    "Is detained now",
    "Concerns are expressed",
    "remains at risk",
    "The following steps are reported",
    "We have the honour",
    "Excellency",
    "Please provide",
    "Please accept",
    "We would appreciate receiving a response",
    "PALAIS DES NATIONS • 1211 GENEVA",
    "SWITZERLAND",
    "Reference:",
    "Date:",
    "To:",
    "page 1/",
    "October",
]


def _sent_letter(language: str):
    desk = make_staff_user(f"desk-{language}", "Desk officer")
    rapporteur = make_staff_user(f"rapporteur-{language}", "Rapporteur")
    # The source's own short answers (perpetrators, risk, steps) are given in the letter's language.
    submission = make_accepted_submission(
        country="TJ", violation_types=["arbitrary_detention"], current_situation=["detained"],
        perpetrators={"ru": "милиция", "fr": "la police", "es": "la policía"}[language],
        current_risk={"ru": "угрозы продолжаются", "fr": "les menaces continuent", "es": "las amenazas continúan"}[
            language
        ],
        steps_taken="—",
    )  # fmt: skip
    mandate = Mandate.objects.get(name="Working Group on Arbitrary Detention")
    communication, draft = services.communication_draft(
        submissions=[submission], kind="UA", recipient="TJK", recipient_name="Tajikistan", language=language,
        by=desk, mandates=[mandate],
    )  # fmt: skip
    services.communication_submit_for_review(communication=communication, by=desk)
    services.communication_approve(communication=communication, by=rapporteur)
    services.communication_send(communication=communication, by=desk)
    communication.refresh_from_db()
    return communication, draft


@pytest.mark.parametrize("language", TITLES)
def test_a_letter_and_its_pdf_are_wholly_in_the_language_of_the_letter(language):
    title, co_signer, reference_label, violation = TITLES[language]
    communication, draft = _sent_letter(language)

    body = unescape(draft.body)
    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(communication))).pages)
    pdf = " ".join(pdf.split())  # the PDF's lines joined

    assert title in body and co_signer in body
    assert violation in body
    assert " ".join(title.split()) in pdf and co_signer in pdf
    assert f"{reference_label}: {communication.reference}" in pdf
    same_in_french = {"Date:", "page 1/"}  # French writes these as English does
    english = [phrase for phrase in ENGLISH if not (language == "fr" and phrase in same_in_french)]
    for text in (body, pdf):
        left = [phrase for phrase in english if phrase in text]
        assert left == [], left


def test_an_english_letter_keeps_its_english_words():
    communication, draft = _sent_letter_en()

    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(communication))).pages)

    assert "Special Rapporteur on the situation of human rights defenders" in unescape(draft.body)
    assert "According to the information received" in unescape(draft.body)
    assert f"Reference: {communication.reference}" in pdf
    assert "PALAIS DES NATIONS" in pdf


def _sent_letter_en():
    desk = make_staff_user("desk-en", "Desk officer")
    rapporteur = make_staff_user("rapporteur-en", "Rapporteur")
    submission = make_accepted_submission(country="TJ", violation_types=["arbitrary_detention"])
    communication, draft = services.communication_draft(
        submissions=[submission], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en", by=desk
    )
    services.communication_submit_for_review(communication=communication, by=desk)
    services.communication_approve(communication=communication, by=rapporteur)
    services.communication_send(communication=communication, by=desk)
    communication.refresh_from_db()
    return communication, draft
