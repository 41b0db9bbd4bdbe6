"""Snapshots from ``export_registry`` edited as by hand, for the restore's tests."""

import io
import json
import zipfile

from django.core.management import call_command


def exported_changed(tmp_path, change, member: str = "registry.json"):
    """The path of an ``export_registry`` archive of the registry as it is, whose ``member``
    (``registry.json`` or ``history.json``) ``change(rows)`` edited in place (a snapshot tampered
    with, or written by another version)."""
    path, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    call_command("export_registry", str(path), stdout=io.StringIO())
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(tampered, "w") as out:
        for name in archive.namelist():
            content = archive.read(name)
            if name == member:
                rows = json.loads(content)
                change(rows)
                content = json.dumps(rows)
            out.writestr(name, content)
    return tampered
