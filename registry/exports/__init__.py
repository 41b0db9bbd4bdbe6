"""The registry's export formats, one builder each: CSV, XLSX, GeoJSON and iCalendar.

The pages (``?format=csv`` on every list, ``/events/calendar.ics``) and the API
(``?format=csv|geojson|ics`` or the ``Accept`` header) hand these builders the rows they
selected, as a queryset, and the reader. A builder

* keeps only what the reader may see (the model's ``visible_to(user)``; a reference to a
  record with a draft state is read through ``with_visibility``), so a draft never reaches
  an export whoever calls it;
* reads what its columns need itself (dropping the caller's joins and prefetches) as plain
  values, one chunk of :data:`~.rows.CHUNK_SIZE` rows at a time (:func:`.rows.records`): the
  number of queries is the same for 10 rows as for 1,000, and the output is produced row by
  row (a generator), so it is streamed with flat memory.

=================  =========================================================================
module             role
=================  =========================================================================
``rows``           :class:`~.rows.Table` (columns and what they read), :class:`~.rows.Related`
                   and :class:`~.rows.Gathered` (a list per row, one query per chunk) and
                   :func:`~.rows.records`.
``tables``         the columns of each exported model (:data:`~.tables.TABLES`), of the
                   countries page (:data:`~.tables.COUNTRIES`) and of the national roll-up.
``spreadsheets``   CSV (:func:`~.spreadsheets.csv_lines`: UTF-8, a header row, every cell
                   through :func:`registry.text.neutralise_formula`) and XLSX
                   (:func:`~.spreadsheets.xlsx_chunks`: the CSV's table as one worksheet,
                   streamed as its ZIP is written, with data descriptors; a text cell cut
                   at Excel's 32,767 characters, :func:`~.spreadsheets.xlsx_text`).
``geojson``        :func:`~.geojson.geojson_chunks`: cities and partnerships (at the partner
                   city) as RFC 7946 Points, ``properties`` the CSV's columns as JSON values.
``ical``           :func:`~.ical.icalendar_chunks`: events, yearly and round anniversaries;
                   UIDs independent of host and language.
``responses``      :func:`~.responses.export_response`, the HTTP side shared by the pages
                   and the API: streamed in blocks, with a file name naming the filters and
                   the as-of date (:func:`~.responses.export_filename`); CSV starts with a
                   UTF-8 byte-order mark.
=================  =========================================================================
"""

from .geojson import geojson_chunks
from .ical import icalendar_chunks
from .responses import BLOCK_SIZE, CONTENT_TYPES, blocks, export_etag, export_filename, export_response
from .rows import CHUNK_SIZE, Related, Table, records
from .spreadsheets import BOM, cell, csv_lines, xlsx_cell, xlsx_chunks
from .tables import COUNTRIES, MUNICIPAL_NETWORKS, SUBDIVISION_NETWORKS, TABLES

__all__ = [
    "BLOCK_SIZE",
    "BOM",
    "CHUNK_SIZE",
    "CONTENT_TYPES",
    "COUNTRIES",
    "MUNICIPAL_NETWORKS",
    "SUBDIVISION_NETWORKS",
    "TABLES",
    "Related",
    "Table",
    "blocks",
    "cell",
    "csv_lines",
    "export_etag",
    "export_filename",
    "export_response",
    "geojson_chunks",
    "icalendar_chunks",
    "records",
    "xlsx_cell",
    "xlsx_chunks",
]
