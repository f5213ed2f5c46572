"""Reply documents as States send them, with a given text: PDF, DOCX, ODT, plain text."""

import io
import zipfile
from html import escape

from communications.pdf import FONTS


def pdf_with(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("Sans", "", str(FONTS / "SourceSansPro-Regular.ttf"))
    pdf.add_page()
    pdf.set_font("Sans", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_with(text: str, *, split: bool = False) -> bytes:
    """split: every word cut into two runs, as Word does after an edit."""
    runs = []
    for word in text.split(" "):
        pieces = [word[: len(word) // 2], word[len(word) // 2 :]] if split and len(word) > 3 else [word]
        runs += [f"<w:r><w:t>{escape(piece)}</w:t></w:r>" for piece in pieces]
        runs.append('<w:r><w:t xml:space="preserve"> </w:t></w:r>')
    body = f'<w:document xmlns:w="urn:w"><w:body><w:p>{"".join(runs)}</w:p></w:body></w:document>'
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": body})


def odt_with(text: str) -> bytes:
    body = f'<office:document-content xmlns:text="urn:t"><text:p>{escape(text)}</text:p></office:document-content>'
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": body})
