"""The letter as a print-ready PDF (fpdf2, with Source Sans Pro for Latin and Cyrillic text).

A draft or sent letter is rendered for staff on demand. A released letter's PDF is rendered once, when
its public record is written (release, a late reply, a consent change), stored, and served as stored.
"""

import hashlib
import json
from pathlib import Path

import font_source_sans_pro
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext
from django_countries import countries
from fpdf import FPDF

from communications.drafting import SIGNATORY, mandate_title
from communications.gate import government_letter
from communications.models import Communication, PublicLetterPDF, PublicRecord

# Part of every stored PDF's digest: change it when the layout changes, and every PDF is made again.
LAYOUT = "2"

FONTS = Path(font_source_sans_pro.__file__).parent / "files"


def _words() -> dict[str, str]:
    """The letter's fixed words in the active language (render_letter runs under the letter's language), from
    the translation catalogue: the letter is wholly in its own language, whatever the staff member's screen."""
    return {
        "letterhead": pgettext("letter", "PALAIS DES NATIONS • 1211 GENEVA 10, SWITZERLAND"),
        "author": pgettext("letter", "Office of the Special Rapporteur"),
        "reference": pgettext("letter", "Reference"),
        "date": pgettext("letter", "Date"),
        "to": pgettext("letter", "To"),
        "copies": pgettext("letter", "Copies"),
        "page": pgettext("letter", "page {page}/{pages}"),
        "draft": pgettext("letter", "DRAFT: no reference until sent"),
        "unsent": pgettext("letter", "not yet sent"),
        "signatory": gettext(SIGNATORY),
    }


def _language_words(language: str) -> dict[str, str]:
    with translation.override(language):
        return _words()


def _recipient(code: str, name: str, language: str) -> str:
    """A State by its name in the letter's language; a company or group as it was named."""
    alpha2 = countries.alpha2(code) if code != "OTH" else ""
    if not alpha2:
        return name
    with translation.override(language):
        return countries.name(alpha2)


def _titles(mandates, language: str) -> list[str]:
    with translation.override(language):
        return [mandate_title(str(mandate)) for mandate in mandates]


def _date(value, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


class LetterPDF(FPDF):
    def __init__(self, reference: str, page_words: str = "{page}/{pages}"):
        super().__init__(format="A4")
        self.reference = reference
        self.page_words = page_words
        self.add_font("Sans", "", str(FONTS / "SourceSansPro-Regular.ttf"))
        self.add_font("Sans", "B", str(FONTS / "SourceSansPro-Bold.ttf"))
        self.add_font("Sans", "I", str(FONTS / "SourceSansPro-It.ttf"))
        self.add_font("Sans", "BI", str(FONTS / "SourceSansPro-BoldIt.ttf"))
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(True, margin=20)

    def footer(self):
        self.set_y(-15)
        self.set_font("Sans", size=8)
        page = self.page_words.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 10, f"{self.reference} · {page}", align="C")


def render_letter(
    *,
    reference: str,
    date: str,
    recipient_name: str,
    copies: list[str],
    body_html: str,
    signatories: list[str],
    language: str = "en",
) -> bytes:
    words = _language_words(language)
    pdf = LetterPDF(reference, words["page"])
    pdf.set_title(reference)
    pdf.set_author(words["author"])
    pdf.add_page()
    pdf.set_font("Sans", "B", 11)
    pdf.multi_cell(0, 6, words["letterhead"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Sans", "", 11)
    for label, value in (("reference", reference), ("date", date), ("to", recipient_name)):
        pdf.multi_cell(0, 6, f"{words[label]}: {value}", new_x="LMARGIN", new_y="NEXT")
    if copies:
        pdf.multi_cell(0, 6, f"{words['copies']}: {', '.join(copies)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.write_html(body_html, font_family="Sans")
    pdf.ln(8)
    pdf.set_font("Sans", "B", 11)
    for signatory in signatories:
        pdf.multi_cell(0, 6, signatory, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def letter_pdf(communication: Communication) -> bytes:
    """The confidential letter, for staff."""
    language, words = communication.language, _language_words(communication.language)
    return render_letter(
        reference=communication.reference or words["draft"],
        date=_date(communication.sent_at.date(), language) if communication.sent_at else words["unsent"],
        recipient_name=_recipient(communication.recipient, communication.recipient_name, language),
        copies=communication.copies_to,
        body_html=government_letter(communication),  # the name references rendered for the government
        signatories=[words["signatory"], *_titles(communication.mandates.all(), language)],
        language=language,
    )


def public_letter_pdf(record: PublicRecord) -> bytes:
    """The released, redacted letter, from the public record alone."""
    return render_letter(
        reference=record.reference,
        date=_date(record.sent_on, record.language),
        recipient_name=_recipient(record.recipient, record.recipient_name, record.language),
        copies=[],
        body_html=record.letter_html,
        signatories=[_language_words(record.language)["signatory"], *_titles(record.mandates, record.language)],
        language=record.language,
    )


def _source(record: PublicRecord) -> str:
    """A digest of everything public_letter_pdf reads from the record."""
    parts = [LAYOUT, record.reference, record.sent_on.isoformat(), record.recipient_name, record.letter_html,
             list(record.mandates)]  # fmt: skip
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def public_letter_store(record: PublicRecord) -> bytes:
    """Render and store the released letter's PDF, unless the stored one was made from the same record."""
    source = _source(record)
    stored = PublicLetterPDF.objects.filter(record_id=record.pk, source=source).values_list("pdf", flat=True).first()
    if stored is not None:
        return bytes(stored)
    pdf = public_letter_pdf(record)
    # One statement, so that two writers at once (a consent change and a first download) never collide.
    PublicLetterPDF.objects.bulk_create(
        [PublicLetterPDF(record_id=record.pk, source=source, pdf=pdf, rendered_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["record"],
        update_fields=["source", "pdf", "rendered_at"],
    )
    return pdf


def public_letter_stored(record: PublicRecord) -> bytes:
    """The released letter's PDF as stored; rendered and stored now if missing or made from an older record.

    (Records cloned in bulk, or written before PDFs were stored, have none until their first download.)
    """
    row = PublicLetterPDF.objects.filter(record_id=record.pk).values_list("source", "pdf").first()
    if row is not None and row[0] == _source(record):
        return bytes(row[1])
    return public_letter_store(record)
