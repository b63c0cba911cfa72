from django.db import migrations

ROLES = ("admin", "operator", "viewer")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    # Permissions are attached after every migration by roles.sync_role_permissions.
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, delete_roles)]
