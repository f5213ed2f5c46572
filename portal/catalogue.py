"""The portal's translatable strings, found as Django's makemessages finds them, without GNU gettext.

makemessages needs xgettext, which the machines do not have. Templates go through Django's own
templatize(), which rewrites {% translate %} and {% blocktranslate %} into gettext calls exactly as
makemessages sees them (trimmed text, variables as %(name)s, a literal % doubled), and babel's Python
extractor reads those calls and the code with makemessages' keywords. The catalogue tests and
`manage.py catalogue` both work from this list, so what the tests ask for is what a translator gets.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
CODE_DIRS = ("portal", "submissions", "communications")
TEMPLATE_DIR = "templates"

# makemessages' keywords (xgettext's Python defaults plus Django's lazy and context variants).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("Translators",)

PO_WIDTH = 79  # xgettext's, so that entries written here look like the rest of the file


# The staff pages a new staff member meets before anyone can help them (the second factor's
# enrolment, backup codes) and the language switch: translated into every staff language
# (settings.STAFF_LANGUAGES), also those the public site does not have yet.
STAFF_TRANSLATED = (
    "portal/enrolment.py",
    f"{TEMPLATE_DIR}/admin/enrol.html",
    f"{TEMPLATE_DIR}/admin/enrol_done.html",
    f"{TEMPLATE_DIR}/admin/backup_codes.html",
    f"{TEMPLATE_DIR}/admin/backup_codes_done.html",
    f"{TEMPLATE_DIR}/admin/_staff_language.html",
)


def is_staff_only(path: str) -> bool:
    """Other staff pages stay in English: the admin modules write plain strings, and the few gettext
    calls there reuse msgids of Django's own admin catalogue (such as the row checkbox label)."""
    if path in STAFF_TRANSLATED:
        return False
    return path.endswith("/admin.py") or path.startswith(f"{TEMPLATE_DIR}/admin/")


@dataclass(frozen=True)
class Found:
    msgid: str | tuple[str, str]  # (singular, plural) for ngettext
    context: str | None
    lineno: int
    comments: tuple[str, ...] = ()


def python_messages(source: bytes) -> list[Found]:
    return [
        Found(msgid, context, lineno, tuple(comments))
        for lineno, msgid, comments, context in extract(
            "python", io.BytesIO(source), keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
        )
    ]


def template_messages(source: str, origin: str | None = None) -> list[Found]:
    # templatize() keeps the template's lines and indentation; left-align them so that the Python
    # tokenizer does not stop at an "unindent" (xgettext does not care). No string spans lines.
    code = "\n".join(line.lstrip() for line in templatize(source, origin=origin).split("\n"))
    return python_messages(code.encode())


def project_files(base_dir: Path = BASE_DIR) -> list[tuple[str, str]]:
    """(path relative to base_dir, "python" or "template") for every file whose strings are public."""
    files = [
        (path.relative_to(base_dir).as_posix(), "python")
        for directory in CODE_DIRS
        for path in sorted((base_dir / directory).rglob("*.py"))
    ]
    files += [
        (path.relative_to(base_dir).as_posix(), "template")
        for path in sorted((base_dir / TEMPLATE_DIR).rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt"}
    ]
    return [(path, kind) for path, kind in files if not is_staff_only(path)]


def project_messages(base_dir: Path = BASE_DIR) -> Catalog:
    """A template catalogue (the .pot) of every public translatable string, with where it is used."""
    catalog = Catalog(project="defender-case-portal", fuzzy=False)
    for path, kind in project_files(base_dir):
        file = base_dir / path
        found = python_messages(file.read_bytes()) if kind == "python" else template_messages(file.read_text(), path)
        for message in found:
            existing = catalog.get(message.msgid, context=message.context)
            if existing is None:
                catalog.add(
                    message.msgid,
                    locations=[(path, message.lineno)],
                    auto_comments=message.comments,
                    context=message.context,
                )
            else:
                existing.locations.append((path, message.lineno))
                existing.auto_comments.extend(c for c in message.comments if c not in existing.auto_comments)
    return catalog


def staff_messages(base_dir: Path = BASE_DIR) -> Catalog:
    """The template catalogue of the staff pages translated into every staff language (STAFF_TRANSLATED)."""
    catalog = Catalog(project="defender-case-portal", fuzzy=False)
    for message in project_messages(base_dir):
        if message.id and any(path in STAFF_TRANSLATED for path, _line in message.locations):
            catalog[message.id] = message.clone()
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f, locale=language)


def is_translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def untranslated(template: Catalog, translations: Catalog) -> list[Message]:
    """The template's messages that the translations lack, leave empty or mark fuzzy."""
    wrong = []
    for message in template:
        if not message.id:
            continue
        translation = translations.get(message.id, context=message.context)
        if not is_translated(translation) or translation.pluralizable != message.pluralizable:
            wrong.append(message)
    return wrong


_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc%]")
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def placeholders(text: str) -> list[str]:
    """The %-style and str.format placeholders of a message, sorted; %% and doubled braces are text."""
    found = [m[0] for m in _PERCENT.finditer(text) if m[0] != "%%"]
    found += [m[0] for m in _BRACES.finditer(text) if m[1] is not None]
    return sorted(found)


def placeholder_mismatches(translations: Catalog) -> list[tuple[Message, str]]:
    """(message, translation) pairs whose translation drops, adds or renames a placeholder.

    Every plural form must keep the plural's placeholders, since languages such as Russian use
    their "one" form for 21 or 31 as well; a form may instead follow the singular's.
    """
    wrong = []
    for message in translations:
        if not message.id or not is_translated(message):
            continue
        if isinstance(message.id, tuple | list):
            allowed = [placeholders(message.id[1]), placeholders(message.id[0])]
            strings = list(message.string)
        else:
            allowed = [placeholders(message.id)]
            strings = [message.string]
        wrong += [(message, string) for string in strings if placeholders(string) not in allowed]
    return wrong


def po_text(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=PO_WIDTH, omit_header=omit_header)
    return out.getvalue()
