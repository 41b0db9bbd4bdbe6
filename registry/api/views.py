"""The JSON API's views at ``/api/v1/``: viewsets for every record, plus the network on a date.

* Reading is open to everyone and throttled for anonymous clients; drafts are visible only to
  those the model's ``visible_to()`` lets see them. Writing needs a token or a session (with
  CSRF) and the matching Django model permission (``add``/``change``/``delete``).
* Lists use the FilterSets of :mod:`registry.filters` (an invalid parameter is a 400 naming
  it), are paginated (``page``, ``page_size`` up to ``REGISTRY_API_MAX_PAGE_SIZE``) and can
  be had as CSV (``?format=csv`` or ``Accept: text/csv``); cities and partnerships also as
  GeoJSON, events as iCalendar, every list as XLSX (``?format=xlsx``), built by
  :mod:`registry.exports` (as the pages' exports are). Export formats are not paginated: a
  list's export is streamed from the database (:func:`registry.exports.export_response`) with a
  file name naming its filters and date, and anonymous clients have a separate, lower rate for
  exports (:class:`~registry.api.throttling.AnonExportThrottle`).
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
from http import HTTPStatus

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import exports, filter_parameters, filters, network, services
from ..cache import changed_at_for, generation_for
from ..concurrency import VersionConflict, check_version, current_version
from ..models import (
    Agreement,
    City,
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
    home_city,
    may_change,
)
from ..models.offices import refusal
from . import serializers as ser
from .exceptions import PreconditionFailed
from .fields import QueryDateParameter
from .permissions import OfficePermission, StaffModelPermissions
from .renderers import CSVRenderer, GeoJSONRenderer, ICalendarRenderer, XLSXRenderer
from .serializers_network import NationalRollupSerializer, NetworkSerializer
from .serializers_records import AgreementSerializer, DelegationSerializer, EventSerializer
from .throttling import AnonExportThrottle

EXPORT_FORMATS = {"csv", "xlsx", "geojson", "ics"}
WRITE_ACTIONS = {"update", "partial_update", "destroy"}


def etag_of(content: bytes) -> str:
    """A list's ``ETag``: a strong tag hashed from the rendered body (``content``, bytes)."""
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


# A record's ETag: its version, the data generation and the representation (see record_etag).
RECORD_ETAG = re.compile(r'\A"v(?P<version>[0-9]{1,18})\.g[0-9]+\.[a-z0-9-]+"\Z')


def representation(request) -> str:
    """Which representation of a record a response is, as a tag: the renderer's format
    (``json``, ``api``, ``csv``, ``geojson``, ``ics``), plus ``-i<n>`` for JSON indented by
    ``n`` spaces (``Accept: application/json; indent=2``), since its bytes differ."""
    renderer = request.accepted_renderer
    tag = renderer.format
    if isinstance(renderer, renderers.JSONRenderer):
        indent = renderer.get_indent(request.accepted_media_type, {})
        if indent:
            tag = f"{tag}-i{indent}"
    return tag


def record_etag(version: int, tag: str, request) -> str:
    """A record's ``ETag``: ``"v<version>.g<generation>.<tag>"``, e.g. ``"v7.g42.json"``.

    ``version`` is the record's own (raised by every save: what ``If-Match`` checks);
    the data generation of the reader (:func:`registry.cache.generation_for`: an anonymous
    reader's moves only with a change to a published row) makes the tag change when a nested
    record shown in the body changes; ``tag`` is the representation
    (:func:`representation`), so two representations never share a strong tag. The browsable
    API's HTML (``api``) differs per request (CSRF token, user menu), so its tag is weak.
    """
    etag = f'"v{version}.g{generation_for(request)}.{tag}"'
    return f"W/{etag}" if tag == "api" else etag


def if_match_versions(header: str) -> set[int] | None:
    """The record versions an ``If-Match`` header names: ``None`` for ``*`` (any version),
    else the versions read from those of its tags that are strong record ETags of this API (any
    representation); an empty set when none is. A weak tag (``W/"…"``) never matches: If-Match
    uses the strong comparison (RFC 9110, 13.1.1)."""
    tags = [tag.strip() for tag in header.split(",")]
    if "*" in tags:
        return None
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
            response["Last-Modified"] = http_date(changed_at_for(request).timestamp())
            return response
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format not in ("json", "api"):
            # An export format renders a queryset (see RegistryViewSet.list); anything else, an
            # error or the OPTIONS metadata, is answered as JSON.
            if response.status_code >= 400 or not isinstance(getattr(response, "data", None), QuerySet):
                request.accepted_renderer = renderers.JSONRenderer()
                request.accepted_media_type = "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(response, Response):
            response.render()
            patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
            version = getattr(response, "record_version", None)
            if version is None:
                response["ETag"] = etag_of(response.content)
            else:
                response["ETag"] = record_etag(version, representation(request), request)
            last_modified = changed_at_for(request)
            response["Last-Modified"] = http_date(last_modified.timestamp())
            conditional = get_conditional_response(
                request, etag=response["ETag"], last_modified=int(last_modified.timestamp()), response=response
            )
            if conditional is not response:
                for header in ("ETag", "Last-Modified", "Vary"):
                    if header in response:
                        conditional[header] = response[header]
                return conditional
        if self.filename_base and getattr(request, "accepted_renderer", None) is not None:
            fmt = request.accepted_renderer.format
            if fmt in EXPORT_FORMATS and response.status_code == 200:
                response["Content-Disposition"] = f'attachment; filename="{self.filename_base}.{fmt}"'
        return response

    filename_base = ""


class RegistryViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Base of the record endpoints: list, detail (by slug), create, update, delete."""

    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # anything up to the slash: an unknown value is a JSON 404
    permission_classes = [StaffModelPermissions, OfficePermission]
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer, XLSXRenderer]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

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
        ``body``) and streamed, named by :func:`registry.exports.export_filename`."""
        if self.exporting():
            queryset = self.filter_queryset(self.get_queryset())
            renderer = request.accepted_renderer
            return exports.export_response(
                renderer.format,
                lambda: renderer.body(queryset, self.get_renderer_context()),
                request=request,
                filename=exports.export_filename(self.basename, request.query_params, extension=renderer.format),
            )
        # An anonymous reader's answer is cached whole by registry.cache.AnonymousPageCacheMiddleware.
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        """One record; its ``ETag`` names its version (:func:`record_etag`). In an export format,
        that record's row alone, through the format's builder."""
        instance = self.get_object()
        if self.exporting():
            response = Response(self.get_queryset().filter(pk=instance.pk))
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
                check_version(instance, version)
            except VersionConflict as error:
                conflict = error
            else:
                return
        if conflict is None:
            raise PreconditionFailed(
                gettext("If-Match names no version of this record: send the ETag of a GET of the record, or *.")
            )
        raise PreconditionFailed(conflict.message)

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
        is said in the reader's language."""
        try:
            return super().get_object()
        except Http404:
            model = self.get_queryset().model
            raise NotFound(
                gettext("No %(model)s matches the given query.") % {"model": model._meta.object_name}
            ) from None

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        """Save, then refuse (403, rolled back with the transaction) a record outside the
        account's offices (:class:`~registry.api.permissions.OfficePermission`)."""
        self._refuse_outside_offices(serializer.save())

    def perform_update(self, serializer):
        """Save, then refuse (403, rolled back) a record the change takes outside the account's
        offices: :class:`~registry.api.permissions.OfficePermission` checked the record as it was;
        this checks it as the change leaves it (found by the adversarial probe: an office moved its
        event into another city's partnership, or its partnership to another city). The answer
        then shows the references as the change left them: the ``<field>_visible`` annotations read
        with the record describe the old references, so they are dropped (found by the adversarial
        probe: an agreement just set on an event was answered ``null``)."""
        instance = serializer.save()
        self._refuse_outside_offices(instance)
        for name in [name for name in vars(instance) if name.endswith("_visible")]:
            delattr(instance, name)

    def _refuse_outside_offices(self, instance) -> None:
        if not may_change(self.request.user, instance):
            raise PermissionDenied(refusal(self.request.user))

    def perform_destroy(self, instance):
        services.delete_record(instance=instance)

    @property
    def filename_base(self):
        return self.basename


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


def sources_prefetch():
    return Prefetch("sources", queryset=Source.objects.order_by("title", "slug"))


@describe("city", "cities")
class CityViewSet(RegistryViewSet):
    """Cities and sub-national governments, partners and others (itinerary stops, places)."""

    serializer_class = ser.CitySerializer
    filterset_class = filters.CityFilter
    renderer_classes = [*RegistryViewSet.renderer_classes, GeoJSONRenderer]
    queryset = City.objects.all()

    def base_queryset(self):
        return City.objects.prefetch_related("names", sources_prefetch())


@describe("partnership", "partnerships")
class PartnershipViewSet(RegistryViewSet):
    """Sister city and friendship city partnerships, with both cities summarised."""

    serializer_class = ser.PartnershipSerializer
    filterset_class = filters.PartnershipFilter
    renderer_classes = [*RegistryViewSet.renderer_classes, GeoJSONRenderer]
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    queryset = Partnership.objects.all()

    def base_queryset(self):
        partnerships = Partnership.objects.with_last_activity(self.request.user)
        return partnerships.select_related("city", "partner").prefetch_related(
            Prefetch("fields", queryset=CooperationField.objects.order_by("name_en", "slug")),
            sources_prefetch(),
            "stages__sources",
            "claims__sources",
        )

    def get_permissions(self):
        """An action changes the partnership: it needs the ``change`` permission, not ``add``, with
        the same staff-status and office rules as every other write."""
        if self.action in PARTNERSHIP_ACTIONS:
            return [permissions.IsAuthenticated(), ChangePermission(), OfficePermission()]
        return super().get_permissions()

    def run_action(self, request, name: str) -> Response:
        """Parse the action's input, run its service in one transaction (the row locked, ``If-Match``
        checked) and answer the partnership as it now is (for an upgrade, the new one, 201)."""
        service, date_argument = PARTNERSHIP_ACTIONS[name]
        with transaction.atomic():
            partnership = self.get_object()
            current_version(partnership, lock=True)
            self.check_if_match(partnership)
            data = ser.PartnershipActionSerializer(data=request.data, context={"request": request})
            data.is_valid(raise_exception=True)
            values = data.validated_data
            with ser.PartnershipSerializer().model_errors():
                result = service(
                    partnership=partnership,
                    reason=values["reason"],
                    precision=values["precision"],
                    sources=values.get("sources", []),
                    **{date_argument: values["on"]},
                )
        result = self.base_queryset().get(pk=result.pk)
        status_code = HTTPStatus.CREATED if result.pk != partnership.pk else HTTPStatus.OK
        return Response(self.get_serializer(result).data, status=status_code)

    @extend_schema(request=ser.PartnershipActionSerializer, responses=ser.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, id=None):
        """Record the signature of a relation not signed yet (status `proposed`): established on ``on``."""
        return self.run_action(request, "sign")

    @extend_schema(request=ser.PartnershipActionSerializer, responses=ser.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def upgrade(self, request, id=None):
        """Upgrade a friendship city to a sister city: ends this partnership, answers the new one (201)."""
        return self.run_action(request, "upgrade")

    @extend_schema(request=ser.PartnershipActionSerializer, responses=ser.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, id=None):
        """Suspend: not in force from ``on`` until resumed."""
        return self.run_action(request, "suspend")

    @extend_schema(request=ser.PartnershipActionSerializer, responses=ser.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, id=None):
        """Resume a suspended partnership: in force again from ``on``."""
        return self.run_action(request, "resume")

    @extend_schema(request=ser.PartnershipActionSerializer, responses=ser.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, id=None):
        """Record a renewal on ``on``."""
        return self.run_action(request, "renew")

    @extend_schema(request=ser.PartnershipActionSerializer, responses=ser.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, id=None):
        """End the partnership on ``on`` (kept in the record)."""
        return self.run_action(request, "end")


class ChangePermission(StaffModelPermissions):
    """The model's ``change`` permission for any method (the partnership actions), for an active
    staff user only (:class:`StaffModelPermissions`)."""

    perms_map = dict.fromkeys(
        ["GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE"], ["%(app_label)s.change_%(model_name)s"]
    )


# Action name → (service, its date argument).
PARTNERSHIP_ACTIONS = {
    "sign": (services.sign_partnership, "on"),
    "upgrade": (services.upgrade_partnership, "on"),
    "suspend": (services.suspend_partnership, "on"),
    "resume": (services.resume_partnership, "on"),
    "renew": (services.renew_partnership, "on"),
    "end": (services.end_partnership, "ended_on"),
}


def participants(name: str, model):
    return Prefetch(name, queryset=model.objects.select_related("person", "organization"))


@describe("agreement", "agreements")
class AgreementViewSet(RegistryViewSet):
    serializer_class = AgreementSerializer
    filterset_class = filters.AgreementFilter
    queryset = Agreement.objects.all()

    def base_queryset(self):
        user = self.request.user
        agreements = Agreement.objects.with_visibility(user, "partnership", "superseded_by")
        return agreements.select_related(
            "partnership__city", "partnership__partner", "place", "superseded_by"
        ).prefetch_related(
            "parties",
            Prefetch("fields", queryset=CooperationField.objects.order_by("name_en", "slug")),
            participants("signatories", Signatory),
            sources_prefetch(),
            "claims__sources",
        )


@describe("event", "events")
class EventViewSet(RegistryViewSet):
    serializer_class = EventSerializer
    filterset_class = filters.EventFilter
    renderer_classes = [*RegistryViewSet.renderer_classes, ICalendarRenderer]
    queryset = Event.objects.all()

    def base_queryset(self):
        events = Event.objects.with_visibility(self.request.user, "partnership", "agreement", "delegation")
        return events.select_related(
            "city", "partnership__city", "partnership__partner", "agreement", "delegation"
        ).prefetch_related(participants("participants", EventParticipant), sources_prefetch(), "claims__sources")


@describe("delegation", "delegations")
class DelegationViewSet(RegistryViewSet):
    serializer_class = DelegationSerializer
    filterset_class = filters.DelegationFilter
    queryset = Delegation.objects.all()

    def base_queryset(self):
        user = self.request.user
        delegations = Delegation.objects.with_visibility(user, "travelled_with")
        outcomes = Outcome.objects.with_visibility(user, "agreement")
        return delegations.select_related("organizer", "leader", "travelled_with").prefetch_related(
            participants("members", DelegationMember),
            Prefetch("itinerary", queryset=ItineraryStop.objects.select_related("city")),
            Prefetch("outcomes", queryset=outcomes.select_related("agreement")),
            sources_prefetch(),
        )


@describe("organization", "organizations")
class OrganizationViewSet(RegistryViewSet):
    serializer_class = ser.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    queryset = Organization.objects.all()

    def base_queryset(self):
        return Organization.objects.select_related("city").prefetch_related(sources_prefetch())


@describe("person", "people")
class PersonViewSet(RegistryViewSet):
    serializer_class = ser.PersonSerializer
    filterset_class = filters.PersonFilter
    queryset = Person.objects.all()

    def base_queryset(self):
        return Person.objects.prefetch_related(sources_prefetch())


@describe("source", "sources")
class SourceViewSet(RegistryViewSet):
    serializer_class = ser.SourceSerializer
    filterset_class = filters.SourceFilter
    queryset = Source.objects.all()

    def base_queryset(self):
        return Source.objects.all()


@describe("cooperation field", "cooperation fields")
class CooperationFieldViewSet(RegistryViewSet):
    serializer_class = ser.CooperationFieldSerializer
    filterset_class = filters.CooperationFieldFilter
    queryset = CooperationField.objects.all()

    def base_queryset(self):
        return CooperationField.objects.all()


class NationalQuerySerializer(serializers.Serializer):
    """The query parameters of ``network/national/``; any other parameter (but ``format``) is a
    400 under its own name, code ``unknown_parameter``, as on every list
    (:func:`filter_parameters.unknown_parameter`)."""

    as_of = QueryDateParameter(required=False, help_text="YYYY-MM-DD; default today (UTC).")

    def to_internal_value(self, data):
        known = [*self.fields, api_settings.URL_FORMAT_OVERRIDE]
        unknown = filter_parameters.unknown_parameters(data, known)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [serializers.ErrorDetail(error.message % error.params, code=error.code)]
                    for name in unknown
                    for error in [filter_parameters.unknown_parameter(name, known)]
                }
            )
        return super().to_internal_value(data)


class NetworkQuerySerializer(NationalQuerySerializer):
    """The query parameters of ``network/``: ``as_of`` and ``city``."""

    city = serializers.SlugField(
        required=False, allow_blank=True, help_text="Slug of the city whose network to count; default the home city."
    )

    def validate_city(self, slug: str) -> City | None:
        """The city of ``slug`` among those the reader may see; ``None`` (the home city) for an
        empty value. A slug naming no such city is a 404 (``NotFound``), as the city's network
        page is, whether the city is unknown or a draft; a value that is not a slug is a 400."""
        if not slug:
            return None
        city = City.objects.visible_to(self.context["request"].user).filter(slug=slug).first()
        if city is None:
            raise NotFound(gettext("No city with the slug “%(slug)s”.") % {"slug": slug})
        return city


class NetworkViewSet(ConditionalMixin, viewsets.ViewSet):
    """A city's network on a date: ``?city=<slug>``, by default the home city
    (``settings.REGISTRY_HOME_CITY``)."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer]
    filename_base = ""

    @extend_schema(
        summary="The network on a date",
        description=(
            "Partner cities and their countries with a published partnership in force on `as_of`: "
            "established on or before it (a year-only date counts from 1 January) and not ended by it; "
            "broken down by kind and by UN M49 region and sub-region."
        ),
        parameters=[
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="YYYY-MM-DD; default today (UTC).", required=False
            ),
            OpenApiParameter(
                "city",
                {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"},
                description="City slug; default the home city. A slug naming no city the reader may see is a 404.",
                required=False,
            ),
        ],
        responses={200: NetworkSerializer},
    )
    def list(self, request):
        query = NetworkQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        home = query.validated_data.get("city") or home_city()
        if home is None:
            raise Http404(gettext("No home city: REGISTRY_HOME_CITY names no city."))
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        summary = network.cached_network_summary(home, as_of)
        return Response(NetworkSerializer(summary, context={"request": request}).data)

    @extend_schema(
        summary="The home country's municipal networks on a date",
        description=(
            "Every municipality of `settings.REGISTRY_HOME_COUNTRY` with its partner cities and countries in force "
            "on `as_of` (counted as `network/` counts one city), their sum, and the partners abroad by country and "
            "by UN M49 region."
        ),
        parameters=[
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="YYYY-MM-DD; default today (UTC).", required=False
            ),
        ],
        responses={200: NationalRollupSerializer},
    )
    @action(detail=False, url_path="national")
    def national(self, request):
        query = NationalQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        rollup = network.national_rollup(settings.REGISTRY_HOME_COUNTRY, as_of)
        return Response(NationalRollupSerializer(rollup, context={"request": request}).data)
