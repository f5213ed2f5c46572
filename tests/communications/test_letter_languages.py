"""Letters drafted in French, Spanish and Russian from the template library of each language."""

from html import unescape

import pytest

from communications.drafting import PHRASES, draft_letter
from communications.models import LetterTemplate, NormParagraph
from tests.support.factories import make_accepted_submission

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
    assert "Special Rapporteur on the situation of human rights defenders" in body
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
    facts_opening = PHRASES[language]["who"].split("{person}")[0]
    assert facts_opening in body
    assert submission.description.strip() not in body
