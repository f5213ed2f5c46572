"""Write a language's catalogue from the portal's strings: what makemessages would do, without GNU gettext."""

from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import catalogue


class Command(BaseCommand):
    help = (
        "Create locale/LANGUAGE/LC_MESSAGES/django.po with every public string of the portal, or add to an "
        "existing one the strings it lacks (nothing else in the file changes), and list the strings it still "
        "has to translate. With --pot FILE, write the template catalogue instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("language", nargs="?", help="a language code such as kk, as in LANGUAGES")
        parser.add_argument("--pot", type=Path, help="write the template catalogue (.pot) to this file")

    def handle(self, *args, language, pot, **options):
        if (language is None) == (pot is None):
            raise CommandError("Give either a language code or --pot FILE.")
        template = catalogue.project_messages()
        staff_only = language not in dict(settings.LANGUAGES) and language in dict(settings.STAFF_LANGUAGES)
        if staff_only:
            # A language of the staff pages only: the strings of those pages (catalogue.STAFF_TRANSLATED).
            template = catalogue.staff_messages()
        if pot is not None:
            pot.write_bytes(catalogue.po_text(template))
            self.stdout.write(f"{pot}: {len(template)} strings")
            return
        try:
            Locale.parse(language)
        except (ValueError, UnknownLocaleError) as e:
            raise CommandError(f"{language!r} is not a language code babel knows: {e}") from e

        path = catalogue.po_path(language)
        if path.exists():
            existing = catalogue.read_catalogue(language)
            added = self._append_new(path, template, existing, language)
            unused = [m for m in existing if m.id and template.get(m.id, context=m.context) is None]
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            new = Catalog(locale=language, project=template.project, fuzzy=False)
            for message in template:
                if message.id:
                    new[message.id] = message.clone()
            path.write_bytes(catalogue.po_text(new))
            added, unused = len(template), []

        todo = catalogue.untranslated(template, catalogue.read_catalogue(language))
        self.stdout.write(f"{path}: {added} strings added, {len(todo)} to translate")
        for message in unused:
            # Left in place: a string may be about to come back; delete it by hand when it is gone for good.
            self.stdout.write(f"  no longer used: {message.id!r}")
        if language not in dict(settings.LANGUAGES) and not staff_only:
            self.stdout.write(f"Add ({language!r}, <its own name>) to LANGUAGES in portal/settings.py.")
        if todo:
            self.stdout.write("Then translate, run `pybabel compile -d locale -D django` and the catalogue tests.")

    @staticmethod
    def _append_new(path: Path, template: Catalog, existing: Catalog, language: str) -> int:
        # Appended as text, so that the rest of a catalogue others may be editing stays as it is.
        new = Catalog(locale=language, fuzzy=False)
        for message in template:
            if message.id and existing.get(message.id, context=message.context) is None:
                new[message.id] = message.clone()
        if len(new):
            text = path.read_bytes().rstrip(b"\n") + b"\n\n" + catalogue.po_text(new, omit_header=True)
            path.write_bytes(text.rstrip(b"\n") + b"\n")
        return len(new)
