"""On PostgreSQL, a trigram index makes the folded-name search (LIKE '%word%') fast.

SQLite has no such index type; there the search scans ``search_text``, with the same results.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS city_search_trgm ON registry_city USING gin (search_text gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS city_search_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_indexes_for_lists")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
