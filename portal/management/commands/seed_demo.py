"""Demo data and demo staff accounts for `make run`; does nothing the second time."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

DEMO_STAFF = [
    ("intake", "Intake officer", False),
    ("desk", "Desk officer", False),
    ("rapporteur", "Rapporteur", False),
    ("admin", "Administrator", True),
]


class Command(BaseCommand):
    help = "Create fictional demo cases and one demo staff account per role (printed once)."

    def handle(self, *args, **options):
        from submissions import demo as submissions_demo

        users = get_user_model()
        created = []
        for username, role, superuser in DEMO_STAFF:
            if users.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            user = users.objects.create_user(
                username=username, password=password, is_staff=True, is_superuser=superuser
            )
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            created.append((username, role, password))
        made = submissions_demo.seed()

        if created:
            self.stdout.write("Demo staff accounts (shown once; change with manage.py changepassword):")
            for username, role, password in created:
                self.stdout.write(f"  {role:16} user {username:12} password {password}")
        self.stdout.write(f"Demo cases created: {made}" if made else "Demo data already present.")
