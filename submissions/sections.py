"""Step one of the intake form in sections, moved between without JavaScript.

Every page of the form posts everything back: the section on screen as its fields, the other
sections as one signed hidden field (the draft). Nothing is kept on the server between pages: a
draft never reaches the database, the session or the cache, and a source who closes the tab leaves
nothing behind. The signature only says that the draft is the one the portal sent; every answer is
still validated on the way to the review and again when the report is sent.

Answers are kept as typed (the widgets' raw values), not as cleaned data: a half-filled or wrong
answer comes back exactly as the source left it.
"""

from django.core import signing
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

SECTIONS = ("source", "defenders", "incident", "consent")
TITLES = {
    "source": _("About you"),
    "defenders": _("The defenders concerned"),
    "incident": _("What happened"),
    "consent": _("Consent and confirmation"),
}
PREFIXES = {"source": "source", "defenders": "defender", "incident": "incident", "consent": "consent"}
MAX_DEFENDERS = 30
DRAFT_SALT = "submissions.intake-draft"


def values_empty() -> dict:
    # "checked": the source has asked for the review once; from then on every section shows its errors.
    return {"source": {}, "defenders": [{}], "incident": {}, "consent": {}, "checked": False}


def draft_dumps(values: dict) -> str:
    return signing.dumps(values, salt=DRAFT_SALT, compress=True)


def draft_loads(text: str) -> dict | None:
    """The answers in a draft the portal signed, or None for a missing, damaged or forged one."""
    if not text:
        return None
    try:
        loaded = signing.loads(text, salt=DRAFT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(loaded, dict):
        return None
    values = values_empty()
    for section in ("source", "incident", "consent"):
        values[section] = _answers(loaded.get(section))
    defenders = loaded.get("defenders")
    if isinstance(defenders, list):
        values["defenders"] = [_answers(answers) for answers in defenders[:MAX_DEFENDERS]]
    values["checked"] = loaded.get("checked") is True
    return values


def _answers(answers) -> dict:
    if not isinstance(answers, dict):
        return {}
    return {name: value for name, value in answers.items() if isinstance(name, str) and _typed(value)}


def _typed(value) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return value is None or isinstance(value, str | bool)


def form_data(values: dict) -> MultiValueDict:
    """The answers as the browser would post them all at once, for bound forms."""
    data = MultiValueDict()
    for section in ("source", "incident", "consent"):
        _put(data, PREFIXES[section], values[section])
    defenders = values["defenders"]
    prefix = PREFIXES["defenders"]
    data.setlist(f"{prefix}-TOTAL_FORMS", [str(len(defenders))])
    data.setlist(f"{prefix}-INITIAL_FORMS", ["0"])
    for index, answers in enumerate(defenders):
        _put(data, f"{prefix}-{index}", answers)
    return data


def _put(data: MultiValueDict, prefix: str, answers: dict) -> None:
    for name, value in answers.items():
        key = f"{prefix}-{name}"
        if isinstance(value, list):
            data.setlist(key, value)
        elif value is True:
            data.setlist(key, ["on"])
        elif isinstance(value, str):
            data.setlist(key, [value])


def neighbours(section: str) -> tuple[str | None, str | None]:
    index = SECTIONS.index(section)
    previous = SECTIONS[index - 1] if index > 0 else None
    following = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    return previous, following


def section_list(current: str, problems=()) -> list[dict]:
    return [
        {"name": name, "title": TITLES[name], "number": number, "current": name == current, "problem": name in problems}
        for number, name in enumerate(SECTIONS, start=1)
    ]
