"""Backup and restore of the whole registry with export_registry / import_registry."""

import io
import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from registry.management.commands.export_registry import snapshot_models
from registry.models import (
    Agreement,
    City,
    CityName,
    CooperationField,
    Delegation,
    DelegationMember,
    Event,
    EventParticipant,
    ItineraryStop,
    Organization,
    Outcome,
    Partnership,
    Person,
    Signatory,
    Source,
)

pytestmark = pytest.mark.django_db


def natural_rows():
    """Every registry row by natural keys (no ids), sorted, for comparison."""
    rows = []
    for label in snapshot_models():
        model = apps.get_model(label)
        data = serializers.serialize(
            "json", model.objects.all(), use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        for row in json.loads(data):
            row.pop("pk", None)
            rows.append(json.dumps(row, sort_keys=True))
    return sorted(rows)


def empty_registry():
    """Delete every registry row, children before the rows they refer to."""
    Delegation.objects.update(travelled_with=None)
    for model in (
        Outcome,
        ItineraryStop,
        DelegationMember,
        EventParticipant,
        Signatory,
        Event,
        Agreement,
        Delegation,
        Partnership,
        Organization,
        Person,
        CityName,
        City,
        Source,
        CooperationField,
    ):
        model.objects.all().delete()


def test_snapshot_round_trips_every_row(shipped_data, tmp_path):
    before = natural_rows()
    path = tmp_path / "registry.json"
    call_command("export_registry", str(path), stdout=io.StringIO())
    empty_registry()
    assert natural_rows() == []
    call_command("import_registry", str(path), stdout=io.StringIO())
    assert natural_rows() == before
    assert len(before) > 250


def test_restore_refuses_a_registry_that_is_not_empty(shipped_data, tmp_path):
    path = tmp_path / "registry.json"
    call_command("export_registry", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_registry", str(path), stdout=io.StringIO())
