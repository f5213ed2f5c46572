"""Names as data: a letter refers to a person as `[[person:<defender id>]]`, rendered per audience.

The draft generator writes these references and staff insert them from the case's list of people
(`people`). Each is rendered from the case's records and the CURRENT consent when the copy is made:

- the government copy names a victim only with consent to be named to the government, else initials;
- the public copy names a victim only with consent to be named in public, else initials;
- a group or an organisation without the consent is "[name withheld]" in either copy (its initials
  would often name it).

Only the defenders of the letter's cases can be referred to: the source has no reference and can
never be inserted. A reference to anyone else renders as "[name withheld]" and the gate reports it.
Typed names stay possible; the gate (communications.gate) catches them.
"""

import re
from dataclasses import dataclass
from html import escape

from communications.names import WITHHELD, initials
from portal import sealing

GOVERNMENT, PUBLIC = "government", "public"
REFERENCE = re.compile(r"\[\[person:(\d+)\]\]")


def token(defender) -> str:
    return f"[[person:{defender.pk}]]"


@dataclass(frozen=True)
class Person:
    """A person (or group) a letter may refer to, with what each audience may read."""

    token: str
    reference: str  # the case's reference and the victim's number: how staff tell people apart
    kind: str
    name: str
    government: str
    public: str

    @property
    def government_named(self) -> bool:
        return self.government == self.name

    @property
    def public_named(self) -> bool:
        return self.public == self.name


def _shown(defender, allowed: bool) -> str:
    if allowed:
        return defender.name
    return initials(defender.name) if defender.kind == "person" else WITHHELD


def people(communication, submissions=None) -> dict[int, Person]:
    """The victims of the letter's cases (or of `submissions`, some of them) by defender id, each rendered
    for both audiences.

    A case this context cannot open (the worker that releases a letter, or another case of a joint letter
    seen from a receipt) renders from what the public may read of its victims (Defender.public_initials
    and public_name, kept beside the sealed case): the same rendering staff saw, with no government one.
    """
    found = {}
    for submission in communication.submissions.all() if submissions is None else submissions:
        readable = sealing.can_open(submission.case_key_id)
        consent = submission.current_consent()  # read once for both audiences
        government = readable and consent is not None and consent.may_name_to_government()
        public = consent is not None and consent.may_name_publicly()
        for number, defender in enumerate(submission.defenders.all(), 1):
            if readable:
                name, shown = defender.name, _shown(defender, public)
            else:
                name = defender.public_name if public else ""
                shown = name or defender.public_initials or WITHHELD
            found[defender.pk] = Person(
                token=token(defender),
                reference=f"{submission.reference}, victim {number}",
                kind=defender.kind,
                name=name,
                government=_shown(defender, government) if readable else WITHHELD,
                public=shown,
            )
    return found


def unknown_references(text: str, known: dict[int, Person]) -> list[str]:
    """References in `text` to no victim of the letter's cases."""
    return [match.group() for match in REFERENCE.finditer(text) if int(match.group(1)) not in known]


def render(text: str, known: dict[int, Person], audience: str, *, as_html: bool, mark: bool = False) -> str:
    """`text` with each reference replaced by what `audience` may read.

    as_html: `text` is HTML, and the name is escaped. mark: a replacement by initials or
    "[name withheld]" is wrapped in <mark class="redaction"> (the staff preview of the public copy).
    """

    def replace(match: re.Match) -> str:
        person = known.get(int(match.group(1)))
        shown = WITHHELD if person is None else getattr(person, audience)
        withheld = person is None or shown != person.name
        out = escape(shown) if as_html else shown
        if mark and withheld:
            return f'<mark class="redaction" title="withheld">{out}</mark>'
        return out

    return REFERENCE.sub(replace, text)
