"""ODT: refused with macros, a password or external objects; copied without authors or metadata."""

from __future__ import annotations

import re

from submissions.attachments.archives import rewrite_archive
from submissions.attachments.images import clean_embedded_image
from submissions.attachments.rejections import reject


def odt_working_copy(data: bytes, name: str) -> bytes:
    return rewrite_archive(data, name, "odt", screen=_screen_odt_entry, clean=_clean_odt_entry)


_ODT_SCRIPT = re.compile(rb"vnd\.sun\.star\.script:|[\"']macro:|<draw:(applet|plugin)\b")
_ODT_EXTERNAL = re.compile(
    rb"<draw:(image|object|object-ole|floating-frame)\b[^>]*\bxlink:href\s*=\s*[\"']"
    rb"([a-zA-Z][a-zA-Z0-9+.-]*:|\\\\|//)"
)


def _screen_odt_entry(entry: str, content: bytes, name: str) -> None:
    if entry.startswith(("basic/", "scripts/")) or (entry.endswith(".xml") and _ODT_SCRIPT.search(content)):
        raise reject("macros", name)
    if entry == "meta-inf/manifest.xml" and b"encryption-data" in content:
        raise reject("encrypted", name)
    if entry.endswith(".xml") and _ODT_EXTERNAL.search(content):
        raise reject("external_content", name)


_ODT_VERSION = re.compile(rb"office:version\s*=\s*[\"']([0-9.]{1,10})[\"']")
_ODT_CREATOR = re.compile(rb"<dc:creator>[^<]*</dc:creator>")


def _clean_odt_entry(entry: str, content: bytes) -> bytes:
    if entry == "meta.xml":
        version = _ODT_VERSION.search(content)
        version_attribute = b' office:version="' + version.group(1) + b'"' if version else b""
        return (
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            b' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
            b' xmlns:dc="http://purl.org/dc/elements/1.1/"' + version_attribute + b"><office:meta/>"
            b"</office:document-meta>"
        )
    if entry.endswith(".xml"):
        # Authors of annotations and tracked changes.
        return _ODT_CREATOR.sub(b"<dc:creator></dc:creator>", content)
    return clean_embedded_image(content)
