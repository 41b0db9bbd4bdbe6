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
* Every ``GET`` carries an ``ETag`` and ``Last-Modified``, and writes honour ``If-Match``: see
  :mod:`registry.api.views_base`, whose :class:`~registry.api.views_base.RegistryViewSet` every
  record's viewset builds on.
"""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .. import filter_parameters, filters, network, services
from ..concurrency import current_version
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
    cited_sources,
    home_city,
)
from . import serializers as ser
from .fields import QueryDateParameter
from .permissions import OfficePermission, StaffModelPermissions
from .renderers import GeoJSONRenderer, ICalendarRenderer
from .serializers_actions import PartnershipActionSerializer
from .serializers_network import NationalRollupSerializer, NetworkSerializer
from .serializers_records import AgreementSerializer, DelegationSerializer, EventSerializer
from .views_base import ConditionalMixin, RegistryViewSet, describe


@describe("city", "cities")
class CityViewSet(RegistryViewSet):
    """Cities and sub-national governments, partners and others (itinerary stops, places)."""

    serializer_class = ser.CitySerializer
    filterset_class = filters.CityFilter
    renderer_classes = [*RegistryViewSet.renderer_classes, GeoJSONRenderer]
    queryset = City.objects.all()

    def base_queryset(self):
        return City.objects.prefetch_related("names", cited_sources())


# A partnership action's route: its input is the action's own (``OPTIONS`` and the browsable API's
# form describe ``on``, ``reason`` and ``sources``; they described the whole partnership: adversarial
# probe), its answer the partnership (``PartnershipViewSet.run_action``).
PARTNERSHIP_ACTION = {
    "detail": True,
    "methods": ["post"],
    "serializer_class": PartnershipActionSerializer,
    # JSON only: an action is not an export (the list's CSV, XLSX and GeoJSON were offered for its answer).
    "renderer_classes": [renderers.JSONRenderer, renderers.BrowsableAPIRenderer],
}


@describe("partnership", "partnerships")
class PartnershipViewSet(RegistryViewSet):
    """Sister city and friendship city partnerships, with both cities summarised (``city`` and
    ``partner`` as recorded). ``country``, ``region`` and ``q`` read the city on the other side
    from the home city, whichever side the record names it on, and GeoJSON places each partnership
    there; ``ordering=partner|country`` sorts by the stored ``partner``."""

    serializer_class = ser.PartnershipSerializer
    filterset_class = filters.PartnershipFilter
    renderer_classes = [*RegistryViewSet.renderer_classes, GeoJSONRenderer]
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    queryset = Partnership.objects.all()

    def base_queryset(self):
        user = self.request.user
        partnerships = Partnership.objects.with_last_activity(user).with_visibility(user, "successor")
        return partnerships.select_related("city", "partner", "successor__city", "successor__partner").prefetch_related(
            Prefetch("fields", queryset=CooperationField.objects.order_by("name_en", "slug")),
            cited_sources(),
            cited_sources("stages__sources"),
            cited_sources("claims__sources"),
        )

    def get_permissions(self):
        """An action changes the partnership: it needs the ``change`` permission, not ``add``, with
        the same staff-status and office rules as every other write."""
        if self.action in services.PARTNERSHIP_ACTIONS:
            return [permissions.IsAuthenticated(), ChangePermission(), OfficePermission()]
        return super().get_permissions()

    def run_action(self, request, name: str) -> Response:
        """Parse the action's input, run its service in one transaction (the row locked, ``If-Match``
        checked) and answer the partnership as it now is (for an upgrade, the new one, 201)."""
        service = services.PARTNERSHIP_ACTIONS[name]
        with transaction.atomic():
            partnership = self.get_object()
            current_version(partnership, lock=True)
            self.check_if_match(partnership)
            data = self.get_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            with ser.PartnershipSerializer().model_errors():
                result = service(
                    partnership=partnership,
                    reason=values["reason"],
                    reason_ko=values["reason_ko"],
                    precision=values["precision"],
                    sources=values.get("sources", []),
                    on=values["on"],
                )
        self.saved = result = self.base_queryset().get(pk=result.pk)
        status_code = HTTPStatus.CREATED if result.pk != partnership.pk else HTTPStatus.OK
        answer = ser.PartnershipSerializer(result, context=self.get_serializer_context())
        # As every write answers: the ETag for the next If-Match, and the new record's Location.
        return self.written(Response(answer.data, status=status_code))

    @extend_schema(
        summary="Sign a proposed partnership",
        request=PartnershipActionSerializer,
        responses=ser.PartnershipSerializer,
    )
    @action(**PARTNERSHIP_ACTION)
    def sign(self, request, id=None):
        """Record the signature of a relation not signed yet (status `proposed`): established on ``on``."""
        return self.run_action(request, "sign")

    @extend_schema(
        summary="Upgrade a friendship city to a sister city",
        request=PartnershipActionSerializer,
        responses={HTTPStatus.CREATED: ser.PartnershipSerializer},
    )
    @action(**PARTNERSHIP_ACTION)
    def upgrade(self, request, id=None):
        """Upgrade a friendship city to a sister city: ends this partnership, answers the new one (201).
        A suspended partnership may be upgraded: the new one is in force from ``on``."""
        return self.run_action(request, "upgrade")

    @extend_schema(
        summary="Suspend a partnership", request=PartnershipActionSerializer, responses=ser.PartnershipSerializer
    )
    @action(**PARTNERSHIP_ACTION)
    def suspend(self, request, id=None):
        """Suspend: not in force from ``on`` until resumed."""
        return self.run_action(request, "suspend")

    @extend_schema(
        summary="Resume a suspended partnership",
        request=PartnershipActionSerializer,
        responses=ser.PartnershipSerializer,
    )
    @action(**PARTNERSHIP_ACTION)
    def resume(self, request, id=None):
        """Resume a suspended partnership: in force again from ``on``."""
        return self.run_action(request, "resume")

    @extend_schema(
        summary="Renew a partnership", request=PartnershipActionSerializer, responses=ser.PartnershipSerializer
    )
    @action(**PARTNERSHIP_ACTION)
    def renew(self, request, id=None):
        """Record a renewal on ``on``."""
        return self.run_action(request, "renew")

    @extend_schema(
        summary="End a partnership", request=PartnershipActionSerializer, responses=ser.PartnershipSerializer
    )
    @action(**PARTNERSHIP_ACTION)
    def end(self, request, id=None):
        """End the partnership on ``on`` (kept in the record)."""
        return self.run_action(request, "end")


class ChangePermission(StaffModelPermissions):
    """The model's ``change`` permission for any method (the partnership actions), for an active
    staff user only (:class:`StaffModelPermissions`)."""

    perms_map = dict.fromkeys(
        ["GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE"], ["%(app_label)s.change_%(model_name)s"]
    )


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
            cited_sources(),
            cited_sources("claims__sources"),
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
        ).prefetch_related(
            participants("participants", EventParticipant), cited_sources(), cited_sources("claims__sources")
        )


@describe("delegation", "delegations")
class DelegationViewSet(RegistryViewSet):
    serializer_class = DelegationSerializer
    filterset_class = filters.DelegationFilter
    queryset = Delegation.objects.all()

    def base_queryset(self):
        user = self.request.user
        delegations = Delegation.objects.with_visibility(user, "travelled_with").with_travel_dates(user)
        outcomes = Outcome.objects.with_visibility(user, "agreement")
        return delegations.select_related("organizer", "leader", "travelled_with").prefetch_related(
            participants("members", DelegationMember),
            Prefetch("itinerary", queryset=ItineraryStop.objects.select_related("city")),
            Prefetch("outcomes", queryset=outcomes.select_related("agreement")),
            cited_sources(),
        )


@describe("organization", "organizations")
class OrganizationViewSet(RegistryViewSet):
    serializer_class = ser.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    queryset = Organization.objects.all()

    def base_queryset(self):
        return Organization.objects.select_related("city").prefetch_related(cited_sources())


@describe("person", "people")
class PersonViewSet(RegistryViewSet):
    serializer_class = ser.PersonSerializer
    filterset_class = filters.PersonFilter
    queryset = Person.objects.all()

    def base_queryset(self):
        return Person.objects.prefetch_related(cited_sources())


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
    """The query parameters of ``network/national/``; any other parameter (but ``format`` and
    ``lang``: :func:`filter_parameters.api_parameters`) is a
    400 under its own name, code ``unknown_parameter``, and one given twice a 400 code
    ``repeated_parameter``, as on every list (:func:`filter_parameters.unknown_parameter`,
    :func:`filter_parameters.repeated_parameter`)."""

    as_of = QueryDateParameter(required=False, help_text="YYYY-MM-DD; default today (UTC).")

    def to_internal_value(self, data):
        known = [*self.fields, *filter_parameters.api_parameters()]
        errors = [
            *(
                (name, filter_parameters.unknown_parameter(name, known))
                for name in filter_parameters.unknown_parameters(data, known)
            ),
            *(
                (name, filter_parameters.repeated_parameter(name, count))
                for name, count in filter_parameters.repeated_parameters(data, known)
            ),
        ]
        if errors:
            raise serializers.ValidationError(
                {
                    name: [serializers.ErrorDetail(error.message % error.params, code=error.code)]
                    for name, error in errors
                }
            )
        return super().to_internal_value(data)


class NetworkQuerySerializer(NationalQuerySerializer):
    """The query parameters of ``network/``: ``as_of`` and ``city``."""

    city = serializers.SlugField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,  # ``city=%20`` is no slug (400), not the home city
        help_text="Slug of the city whose network to count; default the home city.",
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
            "Every municipality of the registry's home country (`country` in the answer) with its partner cities "
            "and countries in force on `as_of`, each counted as `/api/v1/network/` counts its one city, their sum, "
            "and the partners abroad by country and by UN M49 region."
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
