"""The letter as a print-ready PDF (fpdf2, with Source Sans Pro for Latin and Cyrillic text).

A draft or sent letter is rendered for staff on demand. A released letter's PDF is rendered once, when
its public record is written (release, a late reply, a consent change), stored, and served as stored.
"""

import copy
import functools
import hashlib
import io
import json
from pathlib import Path

import font_source_sans_pro
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext
from django_countries import countries
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

from communications.drafting import SIGNATORY, mandate_title
from communications.gate import government_letter
from communications.models import Communication, PublicLetterPDF, PublicRecord

# Part of every stored PDF's digest: change it when the layout changes, and every PDF is made again.
LAYOUT = "2"

FONTS = Path(font_source_sans_pro.__file__).parent / "files"
FACES = {
    "": "SourceSansPro-Regular.ttf",
    "B": "SourceSansPro-Bold.ttf",
    "I": "SourceSansPro-It.ttf",
    "BI": "SourceSansPro-BoldIt.ttf",
}


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


class _Face(TTFFont):
    """fpdf2's TrueType font, measuring text as fpdf2 does, in less time: fpdf2 breaks a line by measuring the
    line again after each character it adds, so a measure here starts from the measure of the text without
    its last character, when it has one (the widths are whole font units: the sums are the same)."""

    __slots__ = ("_measured",)

    def get_text_width(self, text: str, font_size_pt: float, text_shaping_params) -> tuple[int, float]:
        if text_shaping_params or self.is_symbol:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        if font_size_pt > self.biggest_size_pt:
            self.biggest_size_pt = font_size_pt
        units = self._measured.get(text)
        if units is None:
            before = self._measured.get(text[:-1]) if len(text) > 1 else None
            units = sum(self.cw[ord(char)] for char in text) if before is None else before + self.cw[ord(text[-1])]
            if len(self._measured) > 20_000:
                self._measured.clear()
            self._measured[text] = units
        return len(text), units * font_size_pt * 0.001


@functools.cache
def _parsed(style: str) -> _Face:
    """A face's metrics and character map, read once per process (about 15 ms a face, 4 faces a letter)."""
    return _Face(FPDF(), FONTS / FACES[style], f"sans{style}", style)


@functools.cache
def _embeddable(style: str) -> bytes:
    """The face's file without the layout tables (ligatures, kerning) that fpdf2 drops from every font it embeds
    (fpdf.output), read once per process: fontTools' subsetter would read them for each letter first."""
    font = ttLib.TTFont(FONTS / FACES[style], recalcTimestamp=False, lazy=True)
    for tag in ("GDEF", "GPOS", "GSUB"):
        if tag in font:
            del font[tag]
    file = io.BytesIO()
    font.save(file)  # the other tables as they are, unread
    return file.getvalue()


def _face(pdf: FPDF, style: str) -> _Face:
    """The parsed face for one document: what fpdf2 reads only is shared (as its own FPDFRecorder copies share
    it); what a document writes is its own: the glyphs it uses, its font descriptor, and the fontTools font
    that its output subsets in place."""
    parsed = _parsed(style)
    face = copy.copy(parsed)
    face.i = len(pdf.fonts) + 1
    # The glyphs' outlines are embedded as the file has them, bounding boxes included: recomputing these
    # re-encodes every glyph (half of the output's time). The font's own bounds and maxima stay those of the
    # whole face, which hold for its subset.
    face.ttfont = ttLib.TTFont(io.BytesIO(_embeddable(style)), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    face.cw = parsed.cw.copy()  # a defaultdict: reading a missing character writes to it
    face.desc = copy.copy(parsed.desc)
    face.missing_glyphs = []
    face.biggest_size_pt = 0
    face._hbfont = None
    face._measured = {}
    face.subset = SubsetMap(face)
    return face


class LetterPDF(FPDF):
    """Source Sans Pro in four faces, each added when the letter first sets it: a face the letter never uses
    (most letters have no italics) is neither parsed nor subset and embedded."""

    def __init__(self, reference: str, page_words: str = "{page}/{pages}"):
        super().__init__(format="A4")
        self.reference = reference
        self.page_words = page_words
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(True, margin=20)

    def set_font(self, family=None, style="", size=0):
        if (family or self.font_family).lower() == "sans":
            letters = (style.style if isinstance(style, TextEmphasis) else style).upper()
            face = "".join(letter for letter in "BI" if letter in letters)
            if f"sans{face}" not in self.fonts:
                self.fonts[f"sans{face}"] = _face(self, face)
        super().set_font(family, style, size)

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
