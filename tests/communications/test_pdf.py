import datetime
import io

import pytest
import time_machine
from fpdf import FPDF
from fpdf.fonts import TTFFont
from pypdf import PdfReader

from communications import services
from communications.models import Mandate, PublicLetterPDF, PublicRecord
from communications.pdf import FACES, FONTS, LetterPDF, _face, letter_pdf, render_letter
from submissions import services as submission_services
from tests.support.factories import make_accepted_submission, make_sent_communication

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


def test_a_letter_embeds_the_faces_it_uses_and_no_other():
    body = "<p>Ulfatkhonim Mamadshoeva, <em>Qurghonteppa</em></p><p>Мамадшоева</p>"

    plain = render_letter(reference="AL TJK 1/2026", date="2 March 2026", recipient_name="Tajikistan", copies=[],
                          body_html="<p>Ulfatkhonim Mamadshoeva</p>", signatories=["Special Rapporteur"])  # fmt: skip
    italic = render_letter(reference="AL TJK 1/2026", date="2 March 2026", recipient_name="Tajikistan", copies=[],
                           body_html=body, signatories=["Special Rapporteur"])  # fmt: skip

    assert embedded_fonts(plain) == {"SourceSansPro", "SourceSansProBold"}  # letterhead and signatures in bold
    assert embedded_fonts(italic) == {"SourceSansPro", "SourceSansProBold", "SourceSansProItalic"}
    assert "Qurghonteppa" in pdf_text(italic) and "Мамадшоева" in pdf_text(italic)


def test_a_face_measures_text_as_fpdf2_does():
    text = "Excellency, I have the honour to address you — Ваше превосходительство, Қӯрғонтеппа. ﬁ \u00ad"
    own = _face(LetterPDF("AL TJK 1/2026"), "B")
    fpdf2 = TTFFont(FPDF(), FONTS / FACES["B"], "sansB", "B")

    for end in [*range(len(text) + 1), 5, 0, len(text)]:  # as fpdf2 breaks lines: one character more each time
        assert own.get_text_width(text[:end], 11, None) == fpdf2.get_text_width(text[:end], 11, None)


def embedded_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts |= {font.get_object()["/BaseFont"].split("+")[-1] for font in page["/Resources"]["/Font"].values()}
    return fonts


# --- A released letter: made once at release, served as stored ---------------------------------------

SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
DAY_60 = SENT + datetime.timedelta(days=60)


def released_record(**consent) -> PublicRecord:
    submission = make_accepted_submission(country="TJ", **consent)
    make_sent_communication(submissions=[submission], sent_at=SENT)
    with time_machine.travel(DAY_60, tick=False):
        services.release_due()
    return PublicRecord.objects.get(communication__submissions=submission)


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_released_letter_pdf_is_made_at_release(client):
    record = released_record()

    stored = PublicLetterPDF.objects.get(record=record)
    assert record.reference in pdf_text(bytes(stored.pdf))


def test_the_download_is_the_stored_pdf(client):
    record = released_record()
    PublicLetterPDF.objects.filter(record=record).update(pdf=b"%PDF-1.4 as stored")

    response = client.get(f"/communications/{record.slug}/letter.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.4 as stored"


def test_a_pdf_made_from_an_older_record_is_made_again_before_it_is_served(client):
    record = released_record()
    PublicLetterPDF.objects.filter(record=record).update(pdf=b"%PDF-1.4 stale", source="0" * 64)

    response = client.get(f"/communications/{record.slug}/letter.pdf")

    assert record.reference in pdf_text(response.content)
    assert bytes(PublicLetterPDF.objects.get(record=record).pdf) == response.content


def test_a_record_without_a_stored_pdf_gets_one_at_its_first_download(client):
    record = released_record()
    PublicLetterPDF.objects.filter(record=record).delete()

    response = client.get(f"/communications/{record.slug}/letter.pdf")

    assert bytes(PublicLetterPDF.objects.get(record=record).pdf) == response.content


def test_a_consent_withdrawn_after_release_makes_the_pdf_again_at_once(client):
    record = released_record(public_naming=True)
    assert "Mamadshoeva" in pdf_text(bytes(PublicLetterPDF.objects.get(record=record).pdf))
    submission = record.communication.submissions.get()

    submission_services.consent_withdraw(submission=submission, language="ru")

    stored = bytes(PublicLetterPDF.objects.get(record=record).pdf)
    assert "Mamadshoeva" not in pdf_text(stored)
    served = client.get(f"/communications/{record.slug}/letter.pdf").content
    assert served == stored


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
