"""The HTTP side of exports, shared by the pages and the API: a streamed response in blocks,
named by the filters and the as-of date, with a weak ``ETag`` that needs no pass over the body
(:func:`export_etag`), so ``If-None-Match`` gets a 304 before any row is read."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers

from ..cache import generation_for, request_digest
from ..text import slug_of
from .spreadsheets import BOM

BLOCK_SIZE = 64 * 1024  # bytes per piece of a streamed export
FIRST_BLOCK_SIZE = 4 * 1024  # bytes of the first piece: the first rows leave at once
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "ics": "text/calendar; charset=utf-8",
}
# Query parameters that are not filters (left out of a file name), besides the API's ``lang``
# (registry.filter_parameters.LANGUAGE_PARAMETER: it gave cities_country-kz_lang-ko_….geojson;
# helper-87).
NOT_FILTERS = {"format", "page", "page_size"}


def blocks(pieces: Iterable[str | bytes], size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """``pieces`` (text encoded as UTF-8) regrouped into blocks of about ``size`` bytes, so a
    streamed export is written in a few large pieces rather than one per row; the first block
    is of about :data:`FIRST_BLOCK_SIZE` bytes, so the first rows leave at once."""
    buffer, length, limit = [], 0, min(size, FIRST_BLOCK_SIZE)
    for piece in pieces:
        data = piece.encode("utf-8") if isinstance(piece, str) else piece
        buffer.append(data)
        length += len(data)
        if length >= limit:
            yield b"".join(buffer)
            buffer, length, limit = [], 0, size
    if buffer:
        yield b"".join(buffer)


def export_filename(base: str, params, *, extension: str, record: str = "", as_of: datetime.date | None = None) -> str:
    """``<base>_<filter>-<value>…_<as-of date>.<extension>``, e.g.
    ``partnerships_country-kz-jp_kind-sister_2026-12-02.csv``, the name of every export file of
    the pages and the API: ``base`` is the list's name (its table's
    :attr:`~registry.exports.rows.Table.name`, ``cities``), followed by ``record``, the key of
    the one record exported (``cities_almaty_2026-12-02.csv``), if any; the filters set in ``params``
    (a ``QueryDict`` or dict; :data:`NOT_FILTERS`, ``lang``, a shared link's analytics (``utm_source``: it
    was ``cities_utm_source-news_…``) and empty values left out, each name and value
    slugified, several values joined) and the date the data is as of: ``as_of`` if given, else
    a valid ``in_force_on`` filter (then not repeated as a filter), else today in the site's
    time zone. At most 150 characters before the extension."""
    from ..filter_parameters import (  # a link's analytics and language name no filter
        LANGUAGE_PARAMETER,
        is_link_tracking,
    )

    lists = {
        name: params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for name in params
        if not is_link_tracking(name) and name != LANGUAGE_PARAMETER
    }
    if as_of is None:
        try:
            as_of = datetime.date.fromisoformat(str((lists.get("in_force_on") or [""])[-1]))
        except ValueError:
            as_of = timezone.localdate()
        else:
            del lists["in_force_on"]
    parts = [slug_of(base) or "rows", *([slug_of(record)] if slug_of(record) else [])]
    for name in sorted(lists):
        # Transliterated (text.slug_of): ?q=알마티 gave the name of the whole list (new-user probe).
        value = slug_of("-".join(str(v) for v in lists[name] if v).replace(",", "-"))
        if value and name not in NOT_FILTERS:
            parts.append(f"{slug_of(name)}-{value}")
    stem = "_".join([*parts, as_of.isoformat()])
    if len(stem) > 150:
        stem = stem[:139] + "_" + as_of.isoformat()
    return f"{stem}.{extension}"


def export_etag(request, fmt: str) -> str:
    """A weak ``ETag`` of the export of ``request`` in ``fmt``, known before any row is read:
    ``W/"<generation>.<digest>.<fmt>.<reader>.<date>"``. The generation is the reader's data
    generation (:func:`registry.cache.generation_for`: every change raises it) and the digest
    :func:`registry.cache.request_digest`'s (the host, URL with its query, language and ``Accept``
    header); the reader (``anon`` or the user's id: staff see drafts) and today's date (the
    calendar's anniversaries and the file name depend on it) complete it. Weak: the same rows,
    not necessarily the same bytes (an XLSX file's timestamps differ)."""
    user = getattr(request, "user", None)
    reader = f"u{user.pk}" if user is not None and user.is_authenticated else "anon"
    generation, digest = generation_for(request), request_digest(request)
    return f'W/"{generation}.{digest[:20]}.{fmt}.{reader}.{timezone.localdate().isoformat()}"'


def export_response(
    fmt: str,
    build: Callable[[], Iterable[str | bytes] | Any],
    *,
    request,
    filename: str,
    disposition: str = "attachment",
) -> HttpResponse:
    """A streamed export of ``request`` in format ``fmt`` (a key of :data:`CONTENT_TYPES`), or
    ``304 Not Modified`` when its ``If-None-Match`` names the export's :func:`export_etag`
    (``build`` is then never called). ``build()`` gives the builder's pieces (text or bytes,
    sent in :func:`blocks`). CSV gets its byte-order mark
    (:data:`~registry.exports.spreadsheets.BOM`) here. ``filename`` goes into
    ``Content-Disposition``."""
    etag = export_etag(request, fmt)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = build()
        if fmt == "csv":
            body = itertools.chain([BOM], body)
        response = StreamingHttpResponse(blocks(body), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = etag
    patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
    return response
