"""The text of a State's reply document, for the name gate: PDF, DOCX, ODT and plain text.

The gate reads a reply document before it may be published. A document whose text cannot be read
(a scan, another format, a broken file) cannot be checked, so it is never published: `document_text`
raises `Unreadable` and the gate reports it.
"""

import html
import io
import re
import zipfile

from pypdf import PdfReader

# Decompressed XML read from an office document at most: a reply is a few pages, a zip bomb is not.
MAX_XML = 20 * 1024 * 1024
_BREAKS = re.compile(r"</(?:w:p|text:p|text:h)>|<(?:w:br|w:tab|w:cr|text:line-break|text:tab|text:s)\b[^>]*/?>")
_TAG = re.compile(r"<[^>]*>")


class Unreadable(Exception):
    """The document's text cannot be read, so the gate cannot check it."""


def _office_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            entry = "word/document.xml" if "word/document.xml" in names else "content.xml"
            info = archive.getinfo(entry)
            if info.file_size > MAX_XML:
                raise Unreadable("the document is too large to check")
            with archive.open(info) as handle:
                xml = handle.read(MAX_XML + 1).decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError) as error:
        raise Unreadable("not a readable DOCX or ODT document") from error
    # Runs of one word join (a name split in two runs is one word); paragraphs and breaks separate.
    return html.unescape(_TAG.sub("", _BREAKS.sub("\n", xml)))


def _pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable("the PDF is encrypted")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Unreadable:
        raise
    except Exception as error:  # pypdf raises many kinds on a broken file
        raise Unreadable("not a readable PDF") from error
    if not text.strip():
        raise Unreadable("the PDF has no text (a scan?)")
    return text


def document_text(data: bytes, *, name: str = "", content_type: str = "") -> str:
    """The text a reader of the document sees; `Unreadable` when it cannot be read."""
    lower = name.lower()
    if data.startswith(b"%PDF") or content_type == "application/pdf" or lower.endswith(".pdf"):
        return _pdf_text(data)
    if data.startswith(b"PK"):  # DOCX or ODT, told apart by what the archive holds
        return _office_text(data)
    if content_type.startswith("text/") or lower.endswith((".txt", ".text")) or not (content_type or name):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Unreadable("not UTF-8 text") from error
    raise Unreadable(f"documents of type {content_type or 'unknown'} cannot be checked")
