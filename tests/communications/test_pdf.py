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
    assert communication.sent_at.strftime("%d %B %Y") in text
    assert "Special Rapporteur on the situation of human rights defenders" in text
    assert "Working Group on Arbitrary Detention" in text


def test_cyrillic_letters_render():
    communication = make_sent_communication()
    communication.body = "<p>Ульфатхоним Мамадшоева, Қӯрғонтеппа</p>"

    text = PdfReader(io.BytesIO(letter_pdf(communication))).pages[0].extract_text()

    assert "Мамадшоева" in text and "Қӯрғонтеппа" in text
