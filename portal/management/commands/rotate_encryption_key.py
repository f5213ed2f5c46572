"""Re-encrypt every stored encrypted value under the newest key.

Put the new key first in ENCRYPTION_KEYS (keeping the old ones after it),
run this command, then remove the old keys. The file keys that sealed files of
cases from before case keys hold under the server's key are renewed too.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal import sealed_files
from portal.crypto import encrypted_fields

BATCH = 200


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the first key of ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            count = 0
            pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    # Reading decrypts with whichever key fits; saving
                    # encrypts with the first.
                    for obj in model._default_manager.select_for_update().filter(pk__in=pks[start : start + BATCH]):
                        obj.save(update_fields=fields)
                        count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(f"sealed files: {sealed_files.rotate_server_keys()} file keys re-encrypted")
