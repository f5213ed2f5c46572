"""The letter as a print-ready PDF (fpdf2, with Source Sans Pro for Latin and Cyrillic text)."""

from pathlib import Path

import font_source_sans_pro
from fpdf import FPDF

from communications.gate import government_letter
from communications.models import Communication, PublicRecord

FONTS = Path(font_source_sans_pro.__file__).parent / "files"
SIGNATORY = "Special Rapporteur on the situation of human rights defenders"


class LetterPDF(FPDF):
    def __init__(self, reference: str):
        super().__init__(format="A4")
        self.reference = reference
        self.add_font("Sans", "", str(FONTS / "SourceSansPro-Regular.ttf"))
        self.add_font("Sans", "B", str(FONTS / "SourceSansPro-Bold.ttf"))
        self.add_font("Sans", "I", str(FONTS / "SourceSansPro-It.ttf"))
        self.add_font("Sans", "BI", str(FONTS / "SourceSansPro-BoldIt.ttf"))
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(True, margin=20)

    def footer(self):
        self.set_y(-15)
        self.set_font("Sans", size=8)
        self.cell(0, 10, f"{self.reference} · page {self.page_no()}/{{nb}}", align="C")


def render_letter(
    *, reference: str, date: str, recipient_name: str, copies: list[str], body_html: str, signatories: list[str]
) -> bytes:
    pdf = LetterPDF(reference)
    pdf.set_title(reference)
    pdf.set_author("Office of the Special Rapporteur")
    pdf.add_page()
    pdf.set_font("Sans", "B", 11)
    pdf.multi_cell(0, 6, "PALAIS DES NATIONS • 1211 GENEVA 10, SWITZERLAND", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Sans", "", 11)
    for line in (f"Reference: {reference}", f"Date: {date}", f"To: {recipient_name}"):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if copies:
        pdf.multi_cell(0, 6, f"Copies: {', '.join(copies)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.write_html(body_html, font_family="Sans")
    pdf.ln(8)
    pdf.set_font("Sans", "B", 11)
    for signatory in signatories:
        pdf.multi_cell(0, 6, signatory, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def letter_pdf(communication: Communication) -> bytes:
    """The confidential letter, for staff."""
    return render_letter(
        reference=communication.reference or "DRAFT: no reference until sent",
        date=communication.sent_at.strftime("%d %B %Y") if communication.sent_at else "not yet sent",
        recipient_name=communication.recipient_name,
        copies=communication.copies_to,
        body_html=government_letter(communication),  # the name references rendered for the government
        signatories=[SIGNATORY, *map(str, communication.mandates.all())],
    )


def public_letter_pdf(record: PublicRecord) -> bytes:
    """The released, redacted letter, from the public record alone."""
    return render_letter(
        reference=record.reference,
        date=record.sent_on.strftime("%d %B %Y"),
        recipient_name=record.recipient_name,
        copies=[],
        body_html=record.letter_html,
        signatories=[SIGNATORY, *record.mandates],
    )
