from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self):
        from apps.accounts.roles import sync_role_permissions

        # Runs after every app's migrations, so roles pick up the permissions
        # of models added later by other apps.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
