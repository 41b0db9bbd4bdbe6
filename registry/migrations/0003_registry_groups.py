"""Create the staff roles: Registry viewers, editors and managers.

Permissions are created by a post-migrate signal, after all migrations; this migration
creates the registry's own permissions first so the groups can be given them on a new
database. No user is created.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ("view",)
EDIT = ("add", "change", "view")
MANAGE = ("add", "change", "delete", "view")
EXTRA_MANAGER = ("restore_records", "import_records")
GROUPS = {"Registry viewers": VIEW, "Registry editors": EDIT, "Registry managers": MANAGE}


def create_groups(apps, schema_editor):
    registry = apps.get_app_config("registry")
    registry.models_module = True
    create_permissions(registry, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    model_names = [m._meta.model_name for m in registry.get_models() if not m.__name__.startswith("Historical")]
    for name, actions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for action in actions for model in model_names]
        if name == "Registry managers":
            codenames += EXTRA_MANAGER
        group.permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_version_limits_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
