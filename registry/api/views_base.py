"""What the JSON API's viewsets share: :class:`RegistryViewSet`, the base of every record's
endpoints (list, detail by slug, create, update, delete; exports streamed), and
:class:`ConditionalMixin`, which the network's viewset uses too.

* Every ``GET`` carries an ``ETag`` and ``Last-Modified`` and answers
  ``If-None-Match``/``If-Modified-Since`` with 304. A record's ``ETag`` names its ``version``
  (:func:`record_etag`); a list's is a hash of its content. Writes honour ``If-Match``: the
  version in the tag, whichever representation it was read in, is checked by
  :func:`registry.concurrency.check_version` (the admin's check) with the row locked, and a
  stale one is a 412 naming who changed what.
"""

from __future__ import annotations

import hashlib
import re

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import renderers, viewsets
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request
from rest_framework.response import Response

from .. import exports, services
from ..cache import generation_for, last_modified_for, release
from ..concurrency import VersionConflict, check_version, current_version
from ..models import may_change
from ..models.offices import refusal
from .exceptions import PreconditionFailed
from .permissions import OfficePermission, StaffModelPermissions
from .renderers import CSVRenderer, XLSXRenderer
from .throttling import AnonExportThrottle

EXPORT_FORMATS = {"csv", "xlsx", "geojson", "ics"}
WRITE_ACTIONS = {"update", "partial_update", "destroy"}


def etag_of(content: bytes) -> str:
    """A list's ``ETag``: a strong tag hashed from the rendered body (``content``, bytes)."""
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


# A record's ETag: its version, the data generation, the day, the release and the representation
# (see record_etag); tags written before the day or the release was added are still read.
RECORD_ETAG = re.compile(r'\A"v(?P<version>[0-9]{1,18})\.g[0-9]+\.(?:d[0-9]{8}\.)?(?:r[0-9a-f]{8}\.)?[a-z0-9-]+"\Z')


def representation(request) -> str:
    """Which representation of a record a response is, as a tag: the renderer's format
    (``json``, ``api``, ``csv``, ``geojson``, ``ics``), plus ``-i<n>`` for JSON indented by
    ``n`` spaces (``Accept: application/json; indent=2``), since its bytes differ, and the
    language (``-ko``): a calendar's title and summaries are in the reader's language, and a
    conditional ``GET`` in Korean got a 304 for the English calendar (helper-86)."""
    renderer = request.accepted_renderer
    tag = renderer.format
    if isinstance(renderer, renderers.JSONRenderer):
        indent = renderer.get_indent(request.accepted_media_type, {})
        if indent:
            tag = f"{tag}-i{indent}"
    return f"{tag}-{translation.get_language()}"


def record_etag(version: int, tag: str, request) -> str:
    """A record's ``ETag``: ``"v<version>.g<generation>.d<day>.r<release>.<tag>"``, e.g.
    ``"v7.g42.d20261203.r0be3a1c9.json-en"``.

    ``version`` is the record's own (raised by every save: what ``If-Match`` checks);
    the data generation of the reader (:func:`registry.cache.generation_for`: an anonymous
    reader's moves only with a change to a published row) makes the tag change when a nested
    record shown in the body changes; ``tag`` is the representation
    (:func:`representation`), so two representations never share a strong tag; the day
    (``timezone.localdate()``) changes it at midnight, when what is in force may change; the
    release (8 hex digits of a hash of :func:`registry.cache.release`) changes it with a deploy,
    which may change the representation though no data changed (helper-85: a conditional ``GET``
    got a 304 for the old release's body). ``If-Match`` reads only the version, so a tag from
    before a deploy still names its version. The browsable API's HTML (``api``) differs per
    request (CSRF token, user menu), so its tag is weak.
    """
    day = timezone.localdate().strftime("%Y%m%d")
    build = hashlib.sha256(release().encode()).hexdigest()[:8]
    etag = f'"v{version}.g{generation_for(request)}.d{day}.r{build}.{tag}"'
    return f"W/{etag}" if tag.startswith("api-") else etag  # the browsable HTML


def if_match_versions(header: str) -> set[int] | None:
    """The record versions an ``If-Match`` header names: ``None`` for ``*`` alone (any version),
    else the versions read from those of its tags that are strong record ETags of this API (any
    representation); an empty set when none is. A weak tag (``W/"…"``) never matches: If-Match
    uses the strong comparison (RFC 9110, 13.1.1)."""
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]  # a list's empty elements do not count
    if tags == ["*"]:
        return None
    # "*" only alone (RFC 9110, 13.1.1): beside entity tags it names no version, or a stale tag
    # sent with it would pass (helper-85).
    return {int(match["version"]) for tag in tags if (match := RECORD_ETAG.match(tag))}


# --------------------------------------------------------------------------- viewsets


class ConditionalMixin:
    """``ETag``/``Last-Modified`` on every successful ``GET`` and 304 on a matching conditional
    request; ``If-Match`` on writes. Errors are always JSON, whatever format was asked for."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, StreamingHttpResponse):
            # A list's streamed export: no body to tag, the last change gives Last-Modified.
            response = super().finalize_response(request, response, *args, **kwargs)
            patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
            if (last_modified := last_modified_for(request)) is not None:
                response["Last-Modified"] = http_date(last_modified)
            return response
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format not in ("json", "api"):
            # An export format renders a queryset (see RegistryViewSet.list); anything else, an
            # error or the OPTIONS metadata, is answered as JSON.
            if response.status_code >= 400 or not isinstance(getattr(response, "data", None), QuerySet):
                request.accepted_renderer = renderers.JSONRenderer()
                request.accepted_media_type = "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("POST", "PUT", "PATCH")
            and response.status_code in (200, 201)
            and getattr(response, "record_version", None) is not None
        ):  # a write's answer: the ETag a GET of the record would give, for the next If-Match
            response["ETag"] = record_etag(response.record_version, representation(request), request)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(response, Response):
            response.render()
            patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
            version = getattr(response, "record_version", None)
            if version is None:
                response["ETag"] = etag_of(response.content)
            else:
                response["ETag"] = record_etag(version, representation(request), request)
            if (last_modified := last_modified_for(request)) is not None:
                response["Last-Modified"] = http_date(last_modified)
            conditional = get_conditional_response(
                request, etag=response["ETag"], last_modified=last_modified, response=response
            )
            if conditional is not response:
                for header in ("ETag", "Last-Modified", "Vary"):
                    if header in response:
                        conditional[header] = response[header]
                return conditional
        return response


class RegistryMetadata(SimpleMetadata):
    """DRF's ``OPTIONS`` answer, whose ``actions`` offer ``POST`` on a record's own route (a
    partnership's action) only to whoever may change that record, as DRF already asks of ``PUT``
    (``get_object()``: object permissions, the account's offices): an office's account was offered
    the form of an action on another city's partnership, then refused it (403; adversarial probe)."""

    def determine_actions(self, request, view):
        actions = super().determine_actions(request, view)
        if "POST" in actions and getattr(view, "detail", False):
            view.request = clone_request(request, "POST")
            try:
                view.get_object()
            except (APIException, PermissionDenied, Http404):
                del actions["POST"]
            finally:
                view.request = request
        return actions


class RegistryViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Base of the record endpoints: list, detail (by slug), create, update, delete."""

    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # anything up to the slash: an unknown value is a JSON 404
    permission_classes = [StaffModelPermissions, OfficePermission]
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer, XLSXRenderer]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    metadata_class = RegistryMetadata

    def base_queryset(self):
        """The rows with what the serializer reads joined or prefetched (subclasses)."""
        raise NotImplementedError

    def get_queryset(self):
        """What the requesting user may see (the model's ``visible_to``), for every action."""
        return self.base_queryset().visible_to(self.request.user)

    def exporting(self) -> bool:
        """Whether the answer is an export (CSV, XLSX, GeoJSON, iCalendar) rather than JSON."""
        return getattr(getattr(self.request, "accepted_renderer", None), "format", None) in EXPORT_FORMATS

    def get_throttles(self):
        """The API's throttles, plus the anonymous export rate for an export."""
        throttles = super().get_throttles()
        if self.exporting():
            throttles.append(AnonExportThrottle())
        return throttles

    def list(self, request, *args, **kwargs):
        """A page of serialized rows; in an export format, every row the filters select, handed
        as a queryset to the format's builder in :mod:`registry.exports` (via the renderer's
        ``body``) and streamed, named by :func:`registry.exports.export_filename` after the list
        (its table's name, as the page's export is: ``cities_…``)."""
        if self.exporting():
            self.paginator.check_query(request)  # not paginated, but the parameters hold as on a page
            queryset = self.filter_queryset(self.get_queryset())
            renderer = request.accepted_renderer
            return exports.export_response(
                renderer.format,
                lambda: renderer.body(queryset, self.get_renderer_context()),
                request=request,
                filename=exports.export_filename(
                    exports.TABLES[queryset.model].name, request.query_params, extension=renderer.format
                ),
            )
        # An anonymous reader's answer is cached whole by registry.cache.AnonymousPageCacheMiddleware.
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        """One record; its ``ETag`` names its version (send it back in ``If-Match`` to change the
        record). In an export format (``?format=csv`` …), that record's row alone, as its list
        gives it, in a file named after the list and the record's key (``cities_almaty_…``)."""
        # The docstring is the operation's description in the API's schema: for its readers, no
        # reference into the code (the ETag: record_etag; the file's name: exports.export_filename).
        instance = self.get_object()
        if self.exporting():
            response = Response(self.get_queryset().filter(pk=instance.pk))
            name = exports.export_filename(
                exports.TABLES[type(instance)].name,
                {},
                extension=request.accepted_renderer.format,
                record=str(getattr(instance, self.lookup_field)),
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        else:
            response = Response(self.get_serializer(instance).data)
        response.record_version = instance.version
        return response

    def check_if_match(self, instance):
        """Refuse the write (412) unless ``If-Match`` is absent, ``*`` or names the stored version.

        The version is read from each tag (a record ETag of any representation) and checked by
        :func:`registry.concurrency.check_version`, the admin's check, which locks the row until
        the write's transaction ends. A stale version is a 412 whose ``detail`` names who changed
        what (:class:`~registry.concurrency.VersionConflict`); a malformed tag or one that is not
        a record ETag of this API matches no version and is a 412 too.
        """
        header = self.request.headers.get("If-Match")
        if not header:
            return
        versions = if_match_versions(header)
        if versions is None:
            return
        conflict = None
        for version in sorted(versions, reverse=True):
            try:
                check_version(instance, version, self.request.user)
            except VersionConflict as error:
                conflict = error
            else:
                return
        if conflict is None:
            raise PreconditionFailed(
                gettext("If-Match names no version of this record: send the ETag of a GET of the record, or *.")
            )
        raise PreconditionFailed(conflict.api_message)

    def get_object(self):
        """The record of the URL (404 if the reader may not see it, 403 without permission).

        For a write (the ``update``/``partial_update``/``destroy`` actions, inside
        :meth:`update`/:meth:`destroy`'s transaction; not ``OPTIONS`` or the browsable API's
        forms, which call this too) the row is locked first and then read again, and
        ``If-Match`` is checked (:meth:`check_if_match`) before the input is: no other write
        can slip in between the check, what is read and the save.
        """
        obj = self.find_object()
        if self.action in WRITE_ACTIONS:
            current_version(obj, lock=True)
            obj = self.find_object()
            self.check_if_match(obj)
        return obj

    def find_object(self):
        """DRF's ``get_object``, whose 404 (Django's ``get_object_or_404``, in English only)
        is said in the reader's language, naming the record by its name in that language (the
        class name made a Korean “조건에 맞는 City 기록을…”; new-user probe)."""
        try:
            return super().get_object()
        except Http404:
            model = self.get_queryset().model
            raise NotFound(
                gettext("No %(model)s matches the given query.") % {"model": model._meta.verbose_name}
            ) from None

    def update(self, request, *args, **kwargs):
        """Replace or change the record, all or nothing; the answer carries its new ``ETag``
        (:meth:`written`), ready for the next ``If-Match``."""
        with transaction.atomic():
            return self.written(super().update(request, *args, **kwargs))

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        """Create the record, all or nothing; the 201 carries its ``ETag`` and ``Location`` (its
        URL in the API) (:meth:`written`)."""
        with transaction.atomic():
            return self.written(super().create(request, *args, **kwargs))

    def written(self, response):
        """``response`` to a create or update with the saved record's version (the ``ETag`` that
        :meth:`finalize_response` sets, as for a ``GET`` of the record) and, for a 201, its
        ``Location``."""
        instance = getattr(self, "saved", None)
        if instance is not None and response.status_code in (200, 201):
            response.record_version = instance.version
            if response.status_code == 201:
                lookup = {self.lookup_url_kwarg or self.lookup_field: getattr(instance, self.lookup_field)}
                response["Location"] = self.reverse_action("detail", kwargs=lookup)
        return response

    def perform_create(self, serializer):
        """Save, then refuse (403, rolled back with the transaction) a record outside the
        account's offices (:class:`~registry.api.permissions.OfficePermission`)."""
        self.saved = serializer.save()
        self._refuse_outside_offices(self.saved)

    def perform_update(self, serializer):
        """Save, then refuse (403, rolled back) a record the change takes outside the account's
        offices: :class:`~registry.api.permissions.OfficePermission` checked the record as it was;
        this checks it as the change leaves it (found by the adversarial probe: an office moved its
        event into another city's partnership, or its partnership to another city). The answer
        then shows what is computed with the record as the change left it: every annotation of
        :meth:`get_queryset` was read before the change, so each is dropped and its serializer
        field reads it again (one query each): the ``<field>_visible`` flags (an agreement just set
        on an event was answered ``null``), a delegation's travel dates (a PATCH of ``start_on``
        answered the old dates), a partnership's ``last_activity`` and ``dormant`` (a later
        ``established_on`` answered the last event's date)."""
        instance = self.saved = serializer.save()
        self._refuse_outside_offices(instance)
        for name in self.get_queryset().query.annotations:
            instance.__dict__.pop(name, None)

    def _refuse_outside_offices(self, instance) -> None:
        if not may_change(self.request.user, instance):
            raise PermissionDenied(refusal(self.request.user))

    def perform_destroy(self, instance):
        services.delete_record(instance=instance)


def describe(name: str, plural: str):
    """Summaries for the OpenAPI operations of one viewset."""
    a = "an" if name[0] in "aeiou" else "a"
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}", description=f"{plural.capitalize()}, filtered and paginated."),
        retrieve=extend_schema(summary=f"One {name}"),
        create=extend_schema(summary=f"Create {a} {name}", description="Needs the add permission."),
        update=extend_schema(summary=f"Replace {a} {name}", description="Needs the change permission."),
        partial_update=extend_schema(summary=f"Change {a} {name}", description="Needs the change permission."),
        destroy=extend_schema(
            summary=f"Delete {a} {name}",
            description="Needs the delete permission; refused (409) while others refer to it.",
        ),
    )
