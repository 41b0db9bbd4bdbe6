"""The public pages of the network: the home page (the home city's network on a date), any
city's network, the home country's municipal networks rolled up, and the counting rule beside
the published totals. Lists and exports: :mod:`registry.views`."""

from __future__ import annotations

import datetime
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView
from django_countries.fields import Country

from . import charts, exports, maps, network, reconciliation
from .forms import AsOfForm
from .models import Agreement, City, Event, home_city
from .views import export_throttled

# --------------------------------------------------------------------------- home


def year_steps(as_of: datetime.date, first_year: int | None) -> dict:
    """The home page's steps through time from ``as_of``: ``previous`` and ``next`` (the last day
    of the year before and after, today for this year; ``None`` before ``first_year`` or after
    today) and ``years``, ``(year, date)`` pairs for the year control, latest first."""
    today = timezone.localdate()

    def end_of(year: int) -> datetime.date:
        return min(datetime.date(year, 12, 31), today)

    first = min(first_year or as_of.year, as_of.year)
    return {
        "previous": end_of(as_of.year - 1) if as_of.year > first else None,
        "next": end_of(as_of.year + 1) if as_of.year < today.year else None,
        "year": as_of.year,
        "years": [(year, end_of(year)) for year in range(today.year, first - 1, -1)],
    }


class HomeView(TemplateView):
    """``/``: the network at a glance on ``?as_of=YYYY-MM-DD`` (default today): totals by
    kind and region, a map of the partner cities in force, a timeline of partnerships per
    year with the running total, the latest agreements and events.

    An invalid date gives the page with the error next to the date field and status 400.
    """

    template_name = "registry/home.html"

    def get(self, request, *args, **kwargs):
        form = AsOfForm(request.GET or None)
        valid = form.is_valid() if request.GET else True
        as_of = (form.cleaned_data.get("as_of") if valid and request.GET else None) or timezone.localdate()
        context = self.get_context_data(form=form, as_of=as_of, valid=valid)
        status = HTTPStatus.OK if valid else HTTPStatus.BAD_REQUEST
        return self.render_to_response(context, status=status)

    def get_home(self):
        """The city whose network the page shows: the configured home city (or ``None``)."""
        return home_city()

    def get_context_data(self, *, as_of, valid, **kwargs):
        context = super().get_context_data(**kwargs)
        home = self.get_home()
        context.update(home=home, as_of=as_of, valid=valid)
        if home is not None:  # a date refused: today's network, below the message saying so
            context["summary"] = network.cached_network_summary(home, as_of)
            context["first_partners"] = network.first_partners(home, as_of)
            in_force = network.partnerships_of(home).in_force_on(as_of).select_related("city", "partner")
            partners = sorted({p.other(home) for p in in_force}, key=lambda city: city.name)
            context["partners"] = partners
            # (partner city, partnership) pairs for the list under the map
            context["partnerships_in_force"] = sorted(
                ((p.other(home), p) for p in in_force), key=lambda pair: (pair[0].name, pair[1].pk)
            )
            markers = maps.partnership_markers(context["partnerships_in_force"])
            home_marker = maps.marker_for(home)
            context["map"] = maps.world_map(markers, home=home_marker)
            context["inset"] = maps.inset_map(markers, home=home_marker)
            context["timeline"] = charts.timeline_chart(network.timeline(home, as_of=as_of), until=as_of.year)
            rows = context["timeline"].rows
            context["year_steps"] = year_steps(as_of, rows[0]["year"] if rows else None)
            agreements, events = self.latest_records(home)
            context["latest_agreements"] = agreements.filter(signed_on__lte=as_of).select_related("place")[:5]
            context["latest_events"] = events.filter(start_on__lte=as_of).select_related("city")[:5]
        return context

    def latest_records(self, home: City):
        """The agreements and events the "Latest" columns draw from: on the home page, the
        whole registry's that the reader may see (a pair of querysets)."""
        user = self.request.user
        return Agreement.objects.visible_to(user), Event.objects.visible_to(user)


class CityNetworkView(HomeView):
    """``/cities/<slug>/network/``: any city's network on ``?as_of=`` with the home page's
    totals, map, timeline and breakdowns (:mod:`registry.network`, computed for that city,
    either side of each partnership). 404 for a city the reader may not see."""

    def get_home(self):
        return get_object_or_404(City.objects.visible_to(self.request.user), slug=self.kwargs["slug"])

    def latest_records(self, home: City):
        """The city's own agreements and events: signed or held there, or under one of its
        partnerships (either side), as its city page lists them."""
        agreements, events = super().latest_records(home)
        return agreements.of_city(home), events.of_city(home)


class NationalNetworkView(TemplateView):
    """``/network/national/``: the municipal networks of the home country
    (``settings.REGISTRY_HOME_COUNTRY``) rolled up on ``?as_of=`` (default today), by
    municipality, first-level subdivision, partner country and UN M49 region
    (:func:`registry.network.national_rollup`); ``?format=csv`` gives the municipalities' rows,
    ``?format=csv&rows=subdivisions`` the subdivisions', streamed like every export
    (:func:`registry.exports.export_response`: byte-order mark, ``ETag``, the anonymous export
    rate). An invalid date: the page with the error next to the date field and status 400 (plain
    text for the CSV)."""

    template_name = "registry/national_network.html"

    def get(self, request, *args, **kwargs):
        params = request.GET.copy()
        wants_csv = params.pop("format", [""])[-1] == "csv"
        by_subdivision = params.pop("rows", [""])[-1] == "subdivisions"
        form = AsOfForm(params or None)
        valid = form.is_valid() if params else True
        as_of = (form.cleaned_data.get("as_of") if valid and params else None) or timezone.localdate()
        if wants_csv:
            if not valid:
                errors = " ".join(form.errors.get("as_of", []))
                return HttpResponse(f"as_of: {errors}", status=HTTPStatus.BAD_REQUEST, content_type="text/plain")
            if throttled := export_throttled(request):
                return throttled

            table = exports.SUBDIVISION_NETWORKS if by_subdivision else exports.MUNICIPAL_NETWORKS

            def build():
                rollup = network.national_rollup(settings.REGISTRY_HOME_COUNTRY, as_of)
                return exports.csv_lines(
                    rollup.by_subdivision if by_subdivision else rollup.municipalities, table=table
                )

            name = exports.export_filename(table.name, {}, extension="csv", as_of=as_of)
            return exports.export_response("csv", build, request=request, filename=name)
        context = self.get_context_data(form=form, as_of=as_of, valid=valid)
        if valid:
            context["rollup"] = network.national_rollup(settings.REGISTRY_HOME_COUNTRY, as_of)
        context["country"] = Country(settings.REGISTRY_HOME_COUNTRY)
        return self.render_to_response(context, status=HTTPStatus.OK if valid else HTTPStatus.BAD_REQUEST)


class CountingView(TemplateView):
    """``/counting/``: the counting rule in words, and the registry's totals beside the ones the
    home city's office published (:func:`registry.reconciliation.reconcile`), with the
    difference and why they can differ."""

    template_name = "registry/counting.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = home_city()
        context["rows"] = reconciliation.reconcile(home) if home else []
        return context
