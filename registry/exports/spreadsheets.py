"""CSV and XLSX: the columns of a :class:`~registry.exports.rows.Table`, one row per line or
worksheet row, every text cell through :func:`registry.text.neutralise_formula` (:func:`cell`).
Both are streamed: CSV line by line, XLSX as its ZIP grows (:func:`xlsx_chunks`). An XLSX text
cell is cut at Excel's limit (:func:`xlsx_text`); the CSV keeps every cell whole."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..text import neutralise_formula
from .rows import Table, records
from .tables import TABLES


def cell(value) -> str:
    """A CSV cell: empty for ``None``, numbers as written (``-70.5`` stays a number), text
    through :func:`~registry.text.neutralise_formula` (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``)."""
    if type(value) is str:  # most cells: tested first
        return neutralise_formula(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise_formula(str(value))


class _Line:
    """A file-like target for ``csv.writer`` that hands back the line it is given."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: QuerySet | Iterable, *, user=None, table: Table | None = None) -> Iterator[str]:
    """CSV (RFC 4180, ``\\r\\n`` line ends) of ``rows``, line by line, the header first.

    ``rows`` is a queryset (its model's table unless ``table`` is given; only the rows
    ``user`` may see, see :func:`records`) or, with ``table``, rows already computed (the
    countries page's). Encode the lines as UTF-8. Raises ``KeyError`` for a model with no
    table and ``TypeError`` for computed rows without a ``table``.
    """
    if isinstance(rows, QuerySet):
        table = table or TABLES[rows.model]
        rows = records(rows, user=user, table=table)
    elif table is None:
        raise TypeError("csv_lines() needs a table for rows that are not a queryset")
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(list(table.columns))
    columns = list(table.columns.values())
    for row in rows:
        yield writer.writerow([cell(get(row)) for get in columns])


BOM = "\ufeff"  # UTF-8 byte-order mark: tells Excel (and others) the CSV is UTF-8


# Characters XML 1.0 forbids (control characters but tab and line ends): dropped from cells.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


XLSX_CELL_MAX = 32_767  # characters (UTF-16 code units) an Excel cell holds; a longer one makes Excel repair the file


def _utf16_length(text: str) -> int:
    """The length of ``text`` as Excel counts it: UTF-16 code units (a character beyond U+FFFF is two)."""
    return len(text.encode("utf-16-le")) // 2


def xlsx_text(text: str, limit: int = XLSX_CELL_MAX) -> str:
    """``text`` if it fits in an Excel cell (at most ``limit`` UTF-16 code units, Excel's
    32,767 by default), else its beginning followed by ``…`` and a note in the active language
    saying how many characters were cut and that the CSV has them all (``… [cut: 7,233 more
    characters; see the CSV]``), the whole at most ``limit`` long. A character is never split."""
    if 2 * len(text) <= limit or _utf16_length(text) <= limit:  # the first test spares most cells the encoding
        return text

    def marker(count: int) -> str:
        return "… " + _("[cut: %(count)s more characters; see the CSV]") % {"count": f"{count:,}"}

    room = limit - _utf16_length(marker(len(text)))  # the longest marker: as many digits as any count cut
    kept = text.encode("utf-16-le")[: 2 * room].decode("utf-16-le", "ignore")  # a half surrogate pair dropped
    return kept + marker(len(text) - len(kept))


def xlsx_cell(value):
    """An XLSX cell: numbers stay numbers, text as in the CSV (:func:`cell`, so ``=…`` is never
    a formula) without the control characters XML forbids, cut at Excel's limit of 32,767
    characters with a note saying so (:func:`xlsx_text`; the CSV has the whole text); ``None``
    stays empty."""
    if type(value) is str:  # most cells: tested first, without cell()'s dispatch
        if not value:
            return value
        text = neutralise_formula(value)
    elif value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value
    else:
        text = cell(value)
    if not text.isprintable():  # a line break, a tab, a control character: rare, and a regex costs
        text = XML_ILLEGAL.sub("", text)
    return text if 2 * len(text) <= XLSX_CELL_MAX else xlsx_text(text)


class _Sink:
    """A write-only, unseekable file for :mod:`zipfile` that hands back what was written
    (:meth:`take`): the ZIP is then written with data descriptors and streamed as it grows."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _column_letters(count: int) -> list[str]:
    """``A``, ``B``, … ``Z``, ``AA``, …: the first ``count`` spreadsheet column names."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _escape(text: str) -> str:
    """``text`` escaped for XML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row_xml(number: int, letters: list[str], values: list) -> str:
    """One ``<row>`` of the worksheet: numbers as numbers, text (:func:`xlsx_cell` values) as
    inline strings escaped for XML, ``xml:space="preserve"`` where it starts or ends with a
    space; empty cells left out. Written for speed: it runs for every cell of an export."""
    cells = []
    for letter, value in zip(letters, values, strict=True):
        if value is None or value == "":
            continue
        if type(value) is str:
            if "&" in value or "<" in value or ">" in value:
                value = _escape(value)
            if value.strip() != value:  # XML readers drop leading and trailing white space unless told
                cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
            else:
                cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:  # int, float, Decimal (xlsx_cell gives nothing else)
            cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
XLSX_PARTS = {  # every part of the package but the worksheet; {title} is the worksheet's name
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
XLSX_ROWS_PER_WRITE = 200  # rows joined before each write into the compressor
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit in Excel (and in ECMA-376's row numbers)


def xlsx_chunks(rows: QuerySet | Iterable, *, user=None, table: Table | None = None) -> Iterator[bytes]:
    """An XLSX workbook (ECMA-376 SpreadsheetML) of ``rows``, the same rows and columns as
    :func:`csv_lines`, as bytes given out while it is written: one worksheet named by the table
    (:attr:`~registry.exports.rows.Table.name`, at most 31 characters), a header row, then each
    row's :func:`xlsx_cell` values (numbers as numbers, text as inline strings, never a
    formula; a text longer than Excel's 32,767 characters cut, ending with a note that the CSV
    has it whole, :func:`xlsx_text`). The ZIP is written by :mod:`zipfile` to an unseekable sink (sizes in data
    descriptors after each part), so the first bytes leave before the rows are read and memory
    stays flat. Deflate level 1: the fastest, ~10 % larger than the default. Raises what
    :func:`csv_lines` raises, and ``ValueError`` past :data:`XLSX_MAX_ROWS` rows (the file is
    then cut short: a spreadsheet cannot hold them)."""
    if isinstance(rows, QuerySet):
        table = table or TABLES[rows.model]
        rows = records(rows, user=user, table=table)
    elif table is None:
        raise TypeError("xlsx_chunks() needs a table for rows that are not a queryset")
    title = _escape(XML_ILLEGAL.sub("", table.name[:31]) or "rows").replace('"', "&quot;")
    columns = list(table.columns.values())
    letters = _column_letters(len(columns))
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in XLSX_PARTS.items():
            archive.writestr(name, XML_HEAD + (xml.replace("{title}", title) if "{title}" in xml else xml))
        yield sink.take()
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            header = [xlsx_cell(name) for name in table.columns]
            sheet.write(f'{XML_HEAD}<worksheet xmlns="{MAIN}"><sheetData>{_row_xml(1, letters, header)}'.encode())
            batch, number = [], 1
            for row in rows:
                number += 1
                if number > XLSX_MAX_ROWS:
                    raise ValueError(f"an XLSX worksheet holds at most {XLSX_MAX_ROWS:,} rows")
                batch.append(_row_xml(number, letters, [xlsx_cell(get(row)) for get in columns]))
                if len(batch) == XLSX_ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch = []
                    if data := sink.take():
                        yield data
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
    yield sink.take()
