"""The staff roles' permissions on the models of issue 15: everyone on staff may view office
assignments and Wikidata proposals; Registry managers assign offices and (holding
``import_records``) accept proposals; no one adds or edits a proposal by hand."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Registry viewers": ["view_officeassignment", "view_wikidataproposal"],
    "Registry editors": ["view_officeassignment", "view_wikidataproposal"],
    "Registry managers": [
        "add_officeassignment",
        "change_officeassignment",
        "delete_officeassignment",
        "view_officeassignment",
        "view_wikidataproposal",
        "delete_wikidataproposal",
    ],
}


def grant(apps, schema_editor):
    registry = apps.get_app_config("registry")
    registry.models_module = True
    create_permissions(registry, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="registry", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_i15_wikidata_proposals")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
