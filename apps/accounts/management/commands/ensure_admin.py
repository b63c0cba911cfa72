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
        admins = User.objects.filter(groups__name=ADMIN) | User.objects.filter(is_superuser=True)
        if admins.exists():
            name = admins.order_by("pk").values_list("username", flat=True).first()
            self.stdout.write(f"An admin user already exists; nothing to do. A forgotten password: {reset_command(name)}")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        try:
            user_create(username=username, password=password, role=ADMIN, email=email, validate=not generated)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(f"Created admin user {username!r}."))
        if generated:
            # Printed once, to the operator at the terminal (deploy/scripts/run.sh shows it again last), never logged.
            rule = "=" * 72
            self.stdout.write("\n".join([
                rule,
                f"  The console's first admin: user {username}",
                f"  password: {password}",
                "  Shown only this once. Change it after logging in, or any time with:",
                f"    {reset_command(username)}",
                rule,
            ]))
        else:
            self.stdout.write(f"Its password is the one given. To change it: {reset_command(username)}")


def reset_command(username):
    """The command that sets a new password for `username` (Django's own; it asks for the password twice)."""
    return f"python manage.py changepassword {username}  (compose: docker compose exec web python manage.py changepassword {username})"
