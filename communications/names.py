"""Finding and hiding the names of people in a letter."""

import html
import re

WITHHELD = "[name withheld]"


def initials(name: str) -> str:
    parts = [part for part in re.split(r"[\s\-]+", name.strip()) if part and part[0].isalpha()]
    return " ".join(f"{part[0].upper()}." for part in parts) or WITHHELD


def _variants(name: str) -> list[str]:
    """The name as stored and as its Latin transliteration (letters are drafted in several scripts)."""
    from submissions.screening import transliterate

    forms = {name.strip(), transliterate(name).strip()}
    return [form for form in forms if form]


def _pattern(text: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", re.IGNORECASE)


def mentions(text: str, name: str) -> bool:
    """Whether `text` (HTML or plain) names the person: the whole name, or any part of three letters or more."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    for form in _variants(name):
        parts = [form, *[part for part in re.split(r"[\s\-]+", form) if len(part) >= 3]]
        if any(_pattern(part).search(text) for part in parts):
            return True
    return False


def redact(text: str, name: str, *, replacement: str | None = None) -> str:
    """Replace the whole name by initials (or `replacement`), then any remaining part by its initial."""
    for form in _variants(name):
        text = _pattern(form).sub(replacement or initials(form), text)
        for part in sorted(re.split(r"[\s\-]+", form), key=len, reverse=True):
            if len(part) >= 3:
                text = _pattern(part).sub(replacement or f"{part[0].upper()}.", text)
    return text
