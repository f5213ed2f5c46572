import io

import pytest
from pypdf import PdfReader

from communications.models import Mandate
from communications.pdf import letter_pdf
from tests.support.factories import make_sent_communication

pytestmark = pytest.mark.django_db


def test_the_letter_pdf_carries_reference_date_recipient_and_signatories():
    communication = make_sent_communication()
    communication.mandates.add(Mandate.objects.get(name="Working Group on Arbitrary Detention"))

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(communication))).pages)

    assert communication.reference in text
    assert "Tajikistan" in text
    sent = communication.sent_at
    assert f"{sent.day} {sent:%B %Y}" in text
    assert "Special Rapporteur on the situation of human rights defenders" in text
    assert "Working Group on Arbitrary Detention" in text


def test_cyrillic_letters_render():
    communication = make_sent_communication()
    communication.body = "<p>Ульфатхоним Мамадшоева, Қӯрғонтеппа</p>"

    text = PdfReader(io.BytesIO(letter_pdf(communication))).pages[0].extract_text()

    assert "Мамадшоева" in text and "Қӯрғонтеппа" in text


def test_a_russian_letter_is_russian_from_its_header_to_its_signature():
    communication = make_sent_communication()
    communication.language = "ru"
    sent = communication.sent_at.replace(month=10, day=2)
    communication.sent_at = sent

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(communication))).pages)

    assert f"Исх. №: {communication.reference}" in text
    assert f"Дата: 2 октября {sent.year}" in text
    assert "Кому: Таджикистан" in text
    assert "Специальный докладчик по вопросу о положении правозащитников" in text
    assert "Reference:" not in text and "To:" not in text  # the body was drafted in English here
