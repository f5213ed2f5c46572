"""Hostile input for the tests of what the portal does with it: payloads, strategies and the checks.

- payload(): script and markup that a browser would run, were it ever written into a page unescaped;
- live_markup(): what in an HTML page a browser would run or load from it;
- rows(): how many rows each model of the portal holds, to tell that a rejected request stored nothing;
- hostile_text: Hypothesis text that breaks naive code (direction overrides, zero-width characters,
  NUL, control characters, digits int() refuses, very long values).
"""

from html.parser import HTMLParser

from django.apps import apps
from hypothesis import strategies as st

# A session row may come and go with any request; it holds nothing typed into a form.
NOT_COUNTED = {"sessions.session"}


def payload(tag: str) -> str:
    """Markup that runs a script in four ways, marked with `tag` to tell the fields apart."""
    return (
        f"<script>alert('{tag}')</script><img src=x{tag} onerror=alert('{tag}')>"
        f"\"'><svg/onload=alert('{tag}')><a href=\"javascript:alert('{tag}')\">{tag}</a>"
    )


# The payload's tags as typed: escaped, none of them is left in a page. (Its attributes may remain as
# text, "onerror=alert(...)" after "&lt;img": what runs is found by parsing.)
RAW_MARKUP = ("<script>alert(", "<img src=x", "<svg/onload", '<a href="javascript:')


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "script":
            self._script = dict(attrs)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))
        else:
            self.texts.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def live_markup(html: str) -> list[str]:
    """Everything in the page that a browser would run: event handlers, inline scripts, javascript: links."""
    page = parse(html)
    found = [f"raw {marker!r}" for marker in RAW_MARKUP if marker in html]
    for tag, attrs in page.elements:
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if (value or "").strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "svg", "iframe", "object", "embed") and any(
            (value or "").startswith("x") for name, value in attrs if name == "src"
        ):
            found.append(f"<{tag} {attrs!r}>")
    for attrs, text in page.scripts:
        if attrs.get("type") != "application/json" and "alert(" in text:
            found.append(f"<script>{text[:80]!r}")
    return found


def shows_as_text(html: str, text: str) -> bool:
    """Whether `text` reaches the reader as it was typed: in the page's text or a form value."""
    page = parse(html)
    if any(text in data for data in page.texts):
        return True
    return any(text == (value or "") for _tag, attrs in page.elements for _name, value in attrs)


def rows() -> dict[str, int]:
    """Rows per model, every model of every app (submissions, communications, audit, auth...)."""
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_COUNTED
    }


# --- Hypothesis -------------------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e\u202dRLO\u202c",  # right-to-left and left-to-right overrides
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space, joiners, word joiner, BOM
    "\u0301\u0301\u0301",  # combining marks with nothing to combine with
    "\x0b\x0c\x1b[31m",  # vertical tab, form feed, an ANSI escape
    "\r\n\r\n",
    "²³¹",  # digits for str.isdigit(), not for int()
    "٣٤",  # Arabic-Indic digits
    "9" * 5000,  # more digits than int() converts
    "-1",
    "1e309",
    "NaN",
    "0000-00-00",
    "2026-02-30",
    "%00%0d%0a",
    "../../etc/passwd",
    "'; DROP TABLE submissions_submission; --",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "${7*7}",
    '=HYPERLINK("http://evil.example")',
    payload("H"),
    "🏳️‍🌈👩🏽‍⚖️",
    "Ꙃ" * 50,
]

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Nd", "No"]), max_size=20),
    st.builds(lambda char, n: char * n, st.sampled_from(["a", "ж", "\u202e", "<", "&"]), st.integers(300, 25_000)),
)
