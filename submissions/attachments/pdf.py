"""The working copy of a PDF: its pages, without metadata, scripts, embedded files or media."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from submissions.attachments.hidden import check_no_hidden_payload
from submissions.attachments.kinds import KINDS
from submissions.attachments.rejections import AttachmentRejected, reject

# Actions that stay in the working copy; any other (JavaScript, Launch, SubmitForm...) is removed.
_HARMLESS_PDF_ACTIONS = {"/GoTo", "/URI", "/Named"}
# Annotations that carry a file or play media.
_ACTIVE_PDF_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


def pdf_working_copy(data: bytes, name: str) -> bytes:
    """The pages alone, without metadata, scripts, embedded files or media.

    The copy is a new document the stripped pages are added to, so it holds only what the pages
    refer to: the information dictionary, XMP metadata, document scripts, embedded files, outlines
    and forms of the original are left behind rather than removed one by one.
    """
    check_no_hidden_payload(data, name)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Documents "secured" with only an owner password open with an empty user password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise reject("encrypted", name)
        pages = list(reader.pages)
        # Strip every page before copying any: copying follows references to other pages.
        for page in pages:
            _strip_pdf_page(page)
        writer = PdfWriter()
        for page in pages:
            writer.add_page(page)
        writer.metadata = None
        output = io.BytesIO()
        writer.write(output)
    except AttachmentRejected:
        raise
    except Exception as error:
        # pypdf reports broken or hostile files with many exception types; all mean "unreadable".
        raise reject("damaged", name, actual=KINDS["pdf"].label) from error
    return output.getvalue()


def _strip_pdf_page(page: DictionaryObject) -> None:
    for key in ("/AA", "/Metadata", "/PieceInfo"):
        page.pop(key, None)
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject()
    for reference in annotations.get_object():
        annotation = reference.get_object()
        if not isinstance(annotation, DictionaryObject) or annotation.get("/Subtype") in _ACTIVE_PDF_ANNOTATIONS:
            continue
        action = annotation.get("/A")
        if action is not None and not _is_harmless_pdf_action(action.get_object()):
            del annotation["/A"]
        # A form field runs scripts from its own /AA and from those of the fields above it.
        field, depth = annotation, 0
        while isinstance(field, DictionaryObject) and depth < 32:
            field.pop("/AA", None)
            parent = field.get("/Parent")
            field, depth = (parent.get_object() if parent is not None else None), depth + 1
        kept.append(reference)
    page[NameObject("/Annots")] = kept


def _is_harmless_pdf_action(action: object) -> bool:
    if not isinstance(action, dict) or action.get("/S") not in _HARMLESS_PDF_ACTIONS:
        return False
    # /Next chains further actions: one dictionary or an array of them.
    following = action.get("/Next")
    if following is None:
        return True
    following = following.get_object()
    chained = following if isinstance(following, list) else [following]
    return all(_is_harmless_pdf_action(item.get_object()) for item in chained)
