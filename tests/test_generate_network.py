"""manage.py generate_network: the synthetic network follows the registry's rules, so that the
benchmarks count what the site would count."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from registry.models import City, Partnership, PartnershipStage
from registry.network import network_summary

pytestmark = pytest.mark.django_db


def test_generated_suspended_partnerships_have_their_stage_and_are_not_counted_in_force():
    call_command("generate_network", cities=150, partnerships=200, events=0, homes=2, seed=1, stdout=io.StringIO())
    today = timezone.localdate()
    suspended = Partnership.objects.filter(status="suspended")
    stages = PartnershipStage.objects.filter(kind="suspended").select_related("partnership")
    assert suspended.count() == 4  # what seed 1 draws
    assert sorted(stage.partnership_id for stage in stages) == sorted(suspended.values_list("id", flat=True))
    for stage in stages:  # as the Suspend action records it
        assert stage.partnership.established_on <= stage.on <= today
        assert (stage.precision, stage.note_en) == ("day", stage.partnership.status_reason)
    assert not Partnership.objects.in_force_on(today).filter(status="suspended").exists()

    home = City.objects.get(slug="syn-0")
    published = Partnership.objects.filter(city=home, publication="published")
    assert published.filter(status="suspended").exists()
    not_suspended_in_force = published.exclude(status="suspended").filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today), established_on__lte=today
    )
    assert network_summary(home, today).partner_cities == not_suspended_in_force.count()


def test_every_generated_row_keeps_the_registrys_rules():
    """The synthetic registry is measured as a real one and restored from its export, which checks
    every row's rules: partnerships ended after today and agreements of the other kind than their
    partnership's (a sister city agreement of a friendship city) made a restore refuse 4,972 and
    6,634 rows of a full-size network."""
    from django.apps import apps

    from registry.bulk_validation import full_clean_many
    from registry.management.commands.export_registry import snapshot_models

    call_command("generate_network", cities=600, partnerships=1500, events=60, homes=3, seed=1, stdout=io.StringIO())
    for label in snapshot_models():
        rows = list(apps.get_model(label)._default_manager.order_by("pk"))
        errors = full_clean_many(rows) if rows else {}
        assert not errors, (label, [(rows[i].pk, e.message_dict) for i, e in list(errors.items())[:3]])
