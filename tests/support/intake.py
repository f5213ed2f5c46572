"""A complete case as the intake form posts it, with values easy to search for."""

import re
import time
from html.parser import HTMLParser

SOURCE_NAME = "Malika Sourcenova"
DEFENDER_NAME = "Ulfathonim Mamadshoeva"
SECOND_DEFENDER_NAME = "Бахтиёр Адвокатов"
NARRATIVE = "Taken from her flat at dawn by masked officers of the regional police"
CONTACT = "signal-contact-8899"
PLACE = "Khorog, Gorno-Badakhshan"
# People the source asks never to be named, as typed: one per line, with stray spaces and a blank line.
CONFIDENTIAL_PEOPLE = ["Gulnora Witnessova", "Ismoil Brotherov"]
CONFIDENTIAL_TYPED = " Gulnora   Witnessova \n\nIsmoil Brotherov\n"

# The receipt page's reference, as a source reads it.
RECEIPT_REFERENCE = re.compile(r'id="receipt-reference">([^<]+)<')

PERSONAL_VALUES = [SOURCE_NAME, DEFENDER_NAME, SECOND_DEFENDER_NAME, NARRATIVE, CONTACT, PLACE, *CONFIDENTIAL_PEOPLE]


def _form_token() -> str:
    """A form fetched a minute ago (imported here: the benches import this module before Django is set up)."""
    from submissions.limits import form_token_new

    return form_token_new(issued_at=time.time() - 60)


def report_data(*, defenders: int = 1, **overrides) -> dict:
    data = {
        # A form fetched a minute ago: past the minimum fill time, and new for every report.
        "token": _form_token(),
        "source-source_name": SOURCE_NAME,
        "source-source_relationship": "family",
        "source-source_relationship_detail": "Sister",
        "source-contact_method": "signal",
        "source-contact_details": CONTACT,
        "source-contact_safety": "careful",
        "source-notify_email": "",
        "defender-TOTAL_FORMS": str(defenders),
        "defender-INITIAL_FORMS": "0",
        "defender-MIN_NUM_FORMS": "1",
        "defender-MAX_NUM_FORMS": "30",
        "incident-violation_types": ["arbitrary_detention", "torture"],
        "incident-violation_other": "",
        "incident-current_situation": ["detained"],
        "incident-incident_date": "2026-11-20",
        "incident-incident_dates_detail": "",
        "incident-country": "TJ",
        "incident-place": PLACE,
        "incident-perpetrator_kind": "state",
        "incident-perpetrators": "Regional department of the interior ministry",
        "incident-description": NARRATIVE,
        "incident-current_risk": "Held incommunicado, denied a lawyer",
        "incident-steps_taken": "Complaint to the prosecutor",
        "incident-confidential_people": CONFIDENTIAL_TYPED,
        "consent-contact_government": "yes",
        "consent-public_naming": "no",
        "consent-written_consent": "written",
        "consent-good_faith": "on",
        "consent-direct_knowledge": "on",
        "consent-media_only": "no",
        "consent-website": "",
    }
    names = [DEFENDER_NAME, SECOND_DEFENDER_NAME]
    for index in range(defenders):
        data.update(
            {
                f"defender-{index}-kind": "person",
                f"defender-{index}-name": names[index % 2],
                f"defender-{index}-gender": "woman",
                f"defender-{index}-age_group": "adult",
                f"defender-{index}-has_disability": "no",
                f"defender-{index}-country": "TJ",
                f"defender-{index}-region": "GBAO",
                f"defender-{index}-work_areas": ["journalism", "minorities"],
                f"defender-{index}-work_description": "Reports on the rights of the Pamiri minority",
                f"defender-{index}-cooperated_with_un": "yes",
            }
        )
    data.update(overrides)
    return data


def submit_case(client, **overrides):
    """Post the whole flow (report, review, submit) and return the final response."""
    data = report_data(**overrides)
    response = client.post("/submit/", {**data, "action": "review"})
    assert response.status_code == 200, response.content.decode()[:2000]
    return client.post("/submit/", {**data, "action": "submit"})


# --- Moving through the sections of the form, as a browser without JavaScript does ---------------


class _FormFields(HTMLParser):
    """The fields a browser would post from the page's intake form, with what they hold now."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post" and "submit" in (attrs.get("action") or ""):
            self._in_form = True
        if not self._in_form or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "file", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select, self._select_options = attrs["name"], []
        elif tag == "option" and self._select is not None:
            self._select_options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self._textarea, self._text = attrs["name"], []

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected] or [self._select_options[0][0]]
            self.fields.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The newline right after <textarea> is not part of the value.
            self.fields.append((self._textarea, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def page_fields(response) -> dict:
    """What the browser would post from the form on this page, before anything is changed."""
    reader = _FormFields()
    reader.feed(response.content.decode())
    fields: dict = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    return fields


def press(client, response, action: str, url: str = "/submit/", **changes):
    """Press a button of the form on `response`'s page, after changing the fields in `changes`."""
    data = page_fields(response) | changes
    return client.post(url, {**data, "action": action})


def section_data(data: dict, section: str) -> dict:
    """The fields of one section in POST data such as report_data()'s."""
    prefix = {"source": "source-", "defenders": "defender-", "incident": "incident-", "consent": "consent-"}[section]
    return {name: value for name, value in data.items() if name.startswith(prefix)}


def submit_in_sections(client, data: dict, url: str = "/submit/"):
    """Fill in each section of a fresh form with `data`, press Next through them, and return the review page."""
    page = client.get(url)
    for section in ("source", "defenders", "incident", "consent"):
        changes = section_data(data, section)
        if section == "source" and "token" in data:
            changes["token"] = data["token"]  # the form as fetched a while ago (past the minimum fill time)
        if section == "defenders":
            # A second defender's fields exist once "Add another" was pressed.
            for _more in range(int(data["defender-TOTAL_FORMS"]) - 1):
                page = press(client, page, "add_defender", url)
        action = "review" if section == "consent" else "next"
        page = press(client, page, action, url, **changes)
    return page
