"""The public pages of records: agreements, events (with the round anniversaries and the
iCalendar feed) and delegations, each a filtered list and a record's page. Lists and exports:
:mod:`registry.views`."""

from __future__ import annotations

from http import HTTPStatus

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from . import anniversaries, dates, exports, maps
from .filter_parameters import untracked
from .filters import AgreementFilter, DelegationFilter, EventFilter
from .forms import AgreementFilterForm, EventFilterForm
from .models import (
    Agreement,
    Delegation,
    DelegationMember,
    Event,
    EventParticipant,
    ItineraryStop,
    Outcome,
    Partnership,
    Signatory,
    cited_sources,
)
from .views import FilteredListMixin, PageNumberMixin, export_throttled

# --------------------------------------------------------------------------- agreements


class AgreementListView(FilteredListMixin, ListView):
    """``/agreements/``: published agreements, filtered by :class:`~registry.filters.AgreementFilter`."""

    model = Agreement
    filterset_class = AgreementFilter
    filter_form_class = AgreementFilterForm

    def get_base_queryset(self):
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("place", "partnership__city", "partnership__partner")
            .prefetch_related("fields")
        )


class AgreementDetailView(DetailView):
    """``/agreements/<slug>/``: what was agreed, when, where and by whom, with sources."""

    def get_queryset(self):
        user = self.request.user
        return (
            Agreement.objects.visible_to(user)
            .with_visibility(user, "partnership", "superseded_by")
            .select_related("place", "partnership__city", "partnership__partner", "superseded_by")
            .prefetch_related(
                "fields",
                cited_sources(),
                "parties",
                Prefetch("signatories", queryset=Signatory.objects.select_related("person", "organization")),
                Prefetch("events", queryset=Event.objects.visible_to(user).select_related("city")),
                cited_sources("claims__sources"),
            )
        )


# --------------------------------------------------------------------------- events


class EventListView(FilteredListMixin, ListView):
    """``/events/``: published events, filtered by :class:`~registry.filters.EventFilter`."""

    model = Event
    filterset_class = EventFilter
    filter_form_class = EventFilterForm

    def get_base_queryset(self):
        return Event.objects.visible_to(self.request.user).select_related("city")


class EventDetailView(DetailView):
    """``/events/<slug>/``: an event, who took part, what it concerns, with sources and the
    sources of each fact (its claims: the Almaty signing's venue, where sources differ)."""

    def get_queryset(self):
        user = self.request.user
        return (
            Event.objects.visible_to(user)
            .with_visibility(user, "partnership", "agreement", "delegation")
            .select_related("city", "partnership__city", "partnership__partner", "agreement", "delegation")
            .prefetch_related(
                cited_sources(),
                Prefetch("participants", queryset=EventParticipant.objects.select_related("person", "organization")),
                cited_sources("claims__sources"),
            )
        )


class AnniversaryListView(PageNumberMixin, ListView):
    """``/anniversaries/``: the round anniversaries (:data:`registry.anniversaries.ROUND_YEARS`) of
    the next 24 months, of the partnerships the reader may see and of the home country's
    diplomatic relations with their countries (:func:`registry.anniversaries.upcoming`), 100 a
    page by every list's ``?page=`` rule (:class:`~registry.views.PageNumberMixin`: a malformed or
    repeated number gives the first page with the message and status 400). Only the page's
    partnerships are read: at 100,000 partnerships the page listed all 18,870 anniversaries of
    the 24 months, 6 MB in 9–12 s (national-scale probe)."""

    template_name = "registry/anniversary_list.html"
    paginate_by = 100

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.context_data["page_error"]:  # malformed or repeated
            response.status_code = HTTPStatus.BAD_REQUEST
        return response

    def get_queryset(self):
        return anniversaries.upcoming(user=self.request.user, start=self.today, partnerships=False)

    @cached_property
    def today(self):
        return timezone.localdate()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            anniversaries=anniversaries.with_partnerships(list(context["object_list"])),
            start=self.today,
            page_error=self.page_error or self.page_repeated_error,
            query=untracked(self.request.GET),
        )
        return context


class CalendarView(View):
    """``/events/calendar.ics``: public events, the yearly anniversaries of public partnerships
    not ended and the round anniversaries of the next 24 months, as iCalendar (RFC 5545), the same
    for every reader; built by :func:`registry.exports.icalendar_chunks`, as the API's
    ``/api/v1/events/?format=ics``."""

    def get(self, request, *args, **kwargs):
        if throttled := export_throttled(request):
            return throttled

        def build():
            return exports.icalendar_chunks(
                Event.objects.public(),
                anniversaries=Partnership.objects.public().signed().filter(ended_on__isnull=True),
                round_anniversaries=anniversaries.upcoming(user=None, start=timezone.localdate()),
                site_url=request.build_absolute_uri("/"),
                title=_("City Diplomacy Registry: events and anniversaries"),
            )

        return exports.export_response("ics", build, request=request, filename="calendar.ics", disposition="inline")


# --------------------------------------------------------------------------- delegations


class DelegationListView(FilteredListMixin, ListView):
    """``/delegations/``: published delegations, filtered by :class:`~registry.filters.DelegationFilter`."""

    model = Delegation
    filterset_class = DelegationFilter

    def get_base_queryset(self):
        return (
            Delegation.objects.visible_to(self.request.user)
            .with_travel_dates(self.request.user)
            .select_related("organizer", "leader")
            .prefetch_related(Prefetch("itinerary", queryset=ItineraryStop.objects.select_related("city")))
        )

    def get_context_data(self, **kwargs):
        """The list's context; each delegation shown gets ``travel_dates`` (:func:`travel_dates`),
        as its page gives them and as the list's date filters read them: the list showed only its
        own dates, which no shipped delegation has (helper-96)."""
        context = super().get_context_data(**kwargs)
        for delegation in context["object_list"]:
            delegation.travel_dates = travel_dates(delegation)
        return context


class DelegationDetailView(DetailView):
    """``/delegations/<slug>/``: members, the itinerary in order (and on a map), outcomes
    with amounts formatted for the reader's language, events, sources."""

    def get_queryset(self):
        user = self.request.user
        outcomes = Outcome.objects.with_visibility(user, "agreement").select_related("agreement")
        return (
            Delegation.objects.visible_to(user)
            .with_visibility(user, "travelled_with")
            .with_travel_dates(user)
            .select_related("organizer", "leader", "travelled_with")
            .prefetch_related(
                cited_sources(),
                Prefetch("members", queryset=DelegationMember.objects.select_related("person", "organization")),
                Prefetch("itinerary", queryset=ItineraryStop.objects.select_related("city").order_by("order")),
                Prefetch("outcomes", queryset=outcomes),
                Prefetch("accompanying", queryset=Delegation.objects.visible_to(user)),
                Prefetch("events", queryset=Event.objects.visible_to(user).select_related("city")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delegation = self.object
        markers = [
            marker
            for stop in delegation.itinerary.all()
            if (marker := maps.marker_for(stop.city, number=stop.order)) is not None
        ]
        context["map"] = maps.area_map(markers) if markers else None
        context["travelled_with"] = delegation.travelled_with if delegation.travelled_with_visible else None
        context["travel_dates"] = travel_dates(delegation)
        return context


def travel_dates(delegation) -> dict | None:
    """When a delegation travelled, as its page and the list of delegations say it: the dates of
    :meth:`~registry.models.DelegationQuerySet.with_travel_dates` (its own start and end; else its
    itinerary's first arrival and last departure; else the span of the events the reader may see),
    the one rule the date filters and the ordering of the delegations read too. Each date at the
    precision it is known (an event of September 2022 gives "September 2022", never the 1st;
    :func:`registry.dates.partial_date`), with ``basis`` naming where the dates come from;
    ``None`` when nothing gives a date. Reads the row's annotations: no query."""
    if delegation.travel_start is None:
        return None
    first = dates.partial_date(delegation.travel_start, delegation.travel_start_precision)
    last = dates.partial_date(delegation.travel_end, delegation.travel_end_precision)
    return {"first": first, "last": last if last != first else "", "basis": delegation.travel_basis}
