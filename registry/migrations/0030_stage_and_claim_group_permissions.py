"""The staff roles' permissions on partnership stages and claims, which migrations 0007 and 0017
created without granting them to any group: only superusers saw the stages inline of a
partnership and the claims inline of a partnership, agreement or event (fresh-clone probe).
The same scheme as the other records (0003): viewers view; editors add, change and view;
managers also delete. Stages recorded by an action stay as recorded whoever edits
(``PartnershipStage.refuse_direct_edit``)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("partnershipstage", "claim")
GRANTS = {
    "Registry viewers": ("view",),
    "Registry editors": ("add", "change", "view"),
    "Registry managers": ("add", "change", "delete", "view"),
}


def grant(apps, schema_editor):
    registry = apps.get_app_config("registry")
    registry.models_module = True
    create_permissions(registry, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            codenames = [f"{action}_{model}" for action in actions for model in MODELS]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="registry", codename__in=codenames)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for action in ("add", "change", "delete", "view") for model in MODELS]
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("registry", "0029_stage_error_on_its_date")]

    operations = [migrations.RunPython(grant, revoke)]
