"""DOCX: refused with macros or what Word fetches on opening; copied without authors or properties."""

from __future__ import annotations

import html
import re

from submissions.attachments.archives import rewrite_archive
from submissions.attachments.images import clean_embedded_image
from submissions.attachments.rejections import reject


def docx_working_copy(data: bytes, name: str) -> bytes:
    return rewrite_archive(data, name, "docx", screen=_screen_docx_entry, clean=_clean_docx_entry)


_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_FIELD_PIECE = re.compile(
    rb"<(?:\w+:)?fldChar\b[^>]*fldCharType\s*=\s*[\"']begin[\"']"  # a complex field begins
    rb"|<(?:\w+:)?instrText\b[^>]*>([^<]*)<"  # a piece of its instruction
    rb"|<(?:\w+:)?fldSimple\b[^>]*\binstr\s*=\s*\"([^\"]*)\""  # a simple field
)
_ACTIVE_FIELDS = {"DDE", "DDEAUTO"}  # run a program
_EXTERNAL_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "IMPORT"}  # fetch from a path or URL
_LOCAL_PATH = re.compile(r"(file:///)?[a-zA-Z]:[\\/]")


def _screen_docx_entry(entry: str, content: bytes, name: str) -> None:
    if (
        entry.endswith(("vbaproject.bin", "vbadata.xml"))
        or "/activex/" in entry
        or (entry == "[content_types].xml" and re.search(rb"macroenabled|vbaproject|activex", content.lower()))
    ):
        raise reject("macros", name)
    if entry.endswith(".rels"):
        for attributes in _RELATIONSHIP.findall(content):
            if _attribute(attributes, b"TargetMode").lower() != "external":
                continue
            relation = _attribute(attributes, b"Type").rsplit("/", 1)[-1]
            target = _attribute(attributes, b"Target")
            # Links the reader clicks are fine; what Word fetches by itself on opening is not (remote
            # templates, pictures and OLE links: tracking and exploits such as CVE-2022-30190). A
            # template on the author's own disk is the usual case for letterhead documents.
            if relation == "hyperlink" or (relation == "attachedTemplate" and _LOCAL_PATH.match(target)):
                continue
            raise reject("external_content", name)
    if entry.startswith("word/") and entry.endswith(".xml"):
        keywords = _field_keywords(content)
        if keywords & _ACTIVE_FIELDS:
            raise reject("macros", name)
        if keywords & _EXTERNAL_FIELDS:
            raise reject("external_content", name)


def _attribute(attributes: bytes, attribute: bytes) -> str:
    match = re.search(rb"\b" + attribute + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", attributes)
    if match is None:
        return ""
    return html.unescape((match.group(1) or match.group(2) or b"").decode("utf-8", "replace")).strip()


def _field_keywords(xml: bytes) -> set[str]:
    """The first word of every field instruction, joined across the runs Word splits it into."""
    instructions: list[bytes] = []
    for match in _FIELD_PIECE.finditer(xml):
        piece, simple = match.groups()
        if simple is not None:
            instructions.append(simple)
        elif piece is None:
            instructions.append(b"")
        elif instructions:
            instructions[-1] += piece
    keywords = set()
    for instruction in instructions:
        words = html.unescape(instruction.decode("utf-8", "replace")).split()
        if words:
            keywords.add(words[0].upper())
    return keywords


_EMPTY_DOCX_PARTS = {
    "docprops/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "docprops/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
    "docprops/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
}
# Who wrote a comment or a tracked change, and the account behind it (word/people.xml).
_DOCX_PERSON_ATTRIBUTES = re.compile(rb"(\s(?:\w+:)?(?:author|initials|userId|providerId)\s*=\s*)(\"[^\"]*\"|'[^']*')")


def _clean_docx_entry(entry: str, content: bytes) -> bytes:
    if entry in _EMPTY_DOCX_PARTS:
        return _EMPTY_DOCX_PARTS[entry]
    if entry.startswith("word/") and entry.endswith(".xml"):
        return _DOCX_PERSON_ATTRIBUTES.sub(rb'\1""', content)
    return clean_embedded_image(content)
