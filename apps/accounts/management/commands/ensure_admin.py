"""Create the first admin user without prompts, for first start and compose.

    python manage.py ensure_admin --username admin --password ...   (or VMS_ADMIN_USERNAME / VMS_ADMIN_PASSWORD)

Does nothing when an admin already exists, so it is safe on every start.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.roles import ADMIN
from apps.accounts.services import user_create


class Command(BaseCommand):
    help = "Create an admin user if no admin exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("VMS_ADMIN_USERNAME", "admin"))
        parser.add_argument("--password", default=os.environ.get("VMS_ADMIN_PASSWORD", ""))
        parser.add_argument("--email", default=os.environ.get("VMS_ADMIN_EMAIL", ""))

    def handle(self, *args, username, password, email, **options):
        User = get_user_model()
        if User.objects.filter(groups__name=ADMIN).exists() or User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin user already exists; nothing to do.")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        try:
            user_create(username=username, password=password, role=ADMIN, email=email, validate=not generated)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(f"Created admin user {username!r}."))
        if generated:
            # Printed once, to the operator at the terminal, never logged.
            self.stdout.write(f"Log in at http://127.0.0.1:8000/ as {username} with password: {password}")
