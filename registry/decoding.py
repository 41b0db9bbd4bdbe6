"""Text of an uploaded spreadsheet (CSV) whatever encoding the program that saved it chose.

Korean Excel saves "CSV" in CP949 (the Korean Windows code page, a superset of EUC-KR) and
"Unicode text" in UTF-16 with a byte-order mark and tabs between cells; other programs save
UTF-8, with or without a byte-order mark. :func:`decode_csv` accepts exactly these."""

from __future__ import annotations

import codecs
import csv
import io

ENCODINGS = "UTF-8, UTF-16 or CP949 (Korean Excel)"


def decode_csv(data: bytes) -> str:
    """The text of the CSV file ``data`` (bytes), with commas between cells.

    A byte-order mark decides (UTF-8 or UTF-16, little- or big-endian; the mark is dropped);
    without one the bytes are read as UTF-8 and, failing that, as CP949. A tab-separated UTF-16
    file (Excel's "Unicode text") is rewritten with commas. Raises ``UnicodeDecodeError`` when
    the bytes are none of these encodings."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return tabs_to_commas(text)
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp949")


def tabs_to_commas(text: str) -> str:
    """``text`` as comma-separated CSV when its first line has tabs and no commas, else as it is."""
    first = text.split("\n", 1)[0]
    if "\t" not in first or "," in first:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv.reader(io.StringIO(text), delimiter="\t"))
    return out.getvalue()
