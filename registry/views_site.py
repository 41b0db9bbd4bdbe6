"""The site-wide pages: the search across every kind of record, the widgets other sites may
frame (:class:`FrameableMixin`), ``/robots.txt`` and ``/favicon.ico``."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.generic import DetailView, TemplateView, View

from . import maps, network
from .models import Agreement, City, Delegation, Event, Organization, Partnership, Person, home_city
from .text import is_visible

# --------------------------------------------------------------------------- search


class SearchView(TemplateView):
    """``/search/?q=…``: one search across cities, partnerships, agreements, events, delegations,
    people and organizations, results grouped by kind. Each kind is found by its queryset's own
    ``search()`` (cities by every name, ignoring case and accents) among the rows the reader may
    see (``visible_to``); at most ``per_kind`` of each are shown, with a link to the full, filtered
    list where there is one. Two queries per kind at most, whatever the table sizes."""

    template_name = "registry/search.html"
    per_kind = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        if not is_visible(query):  # nothing that shows is no query (filter_parameters.search)
            query = ""
        context["q"] = query
        if not query:
            return context
        user = self.request.user
        kinds = [
            ("cities", _("Cities"), City.objects.visible_to(user).search(query), "registry:city-list"),
            (
                "partnerships",
                _("Partnerships"),
                Partnership.objects.visible_to(user).search(query).select_related("city", "partner"),
                None,
            ),
            (
                "agreements",
                _("Agreements"),
                Agreement.objects.visible_to(user).search(query),
                "registry:agreement-list",
            ),
            ("events", _("Events"), Event.objects.visible_to(user).search(query), "registry:event-list"),
            (
                "delegations",
                _("Delegations"),
                Delegation.objects.visible_to(user).search(query),
                "registry:delegation-list",
            ),
            ("people", _("People"), Person.objects.visible_to(user).search(query), None),
            ("organizations", _("Organizations"), Organization.objects.visible_to(user).search(query), None),
        ]
        groups = []
        for key, label, queryset, list_url in kinds:
            rows = list(queryset[: self.per_kind + 1])
            more = len(rows) > self.per_kind
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "rows": rows[: self.per_kind],
                    "more": more,
                    "list_url": f"{reverse(list_url)}?{urlencode({'q': query})}" if list_url else None,
                }
            )
        context["groups"] = groups
        context["total"] = sum(len(group["rows"]) for group in groups)
        return context


# --------------------------------------------------------------------------- widgets


class FrameableMixin:
    """A page other sites may show in an ``<iframe>``: only the origins in
    ``settings.REGISTRY_WIDGET_FRAME_ANCESTORS`` (and this site) may frame it (CSP
    ``frame-ancestors``, no ``X-Frame-Options``); every other page stays unframeable
    (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``)."""

    def dispatch(self, request, *args, **kwargs):
        ancestors = ["'self'", *settings.REGISTRY_WIDGET_FRAME_ANCESTORS]
        view = csp_replace({"frame-ancestors": ancestors})(xframe_options_exempt(super().dispatch))
        return view(request, *args, **kwargs)


class NetworkWidgetView(FrameableMixin, TemplateView):
    """``/widget/``: the home city's network today, compact, for a city portal's ``<iframe>``:
    the totals (with the counting rule's page), a small map with the legend, links that open the
    registry in the top window."""

    template_name = "registry/widget.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = home_city()
        today = timezone.localdate()
        context.update(home=home, as_of=today, city=None)
        if home is not None:
            in_force = network.partnerships_of(home).in_force_on(today).select_related("city", "partner")
            pairs = sorted(((p.other(home), p) for p in in_force), key=lambda pair: (pair[0].name, pair[1].pk))
            context["summary"] = network.cached_network_summary(home, today)
            context["map"] = maps.world_map(maps.partnership_markers(pairs), home=maps.marker_for(home))
        return context


class CityWidgetView(FrameableMixin, DetailView):
    """``/widget/<slug>/``: one city's partnerships (either side, as the reader may see them),
    compact, for an ``<iframe>``; 404 for a city the reader may not see."""

    model = City
    template_name = "registry/widget.html"

    def get_queryset(self):
        return City.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        city = self.object
        partnerships = (
            Partnership.objects.visible_to(self.request.user)
            .involving(city)
            .select_related("city", "partner")[: self.max_items]
        )
        pairs = [(p.other(city), p) for p in partnerships]
        context.update(city=city, pairs=pairs, as_of=timezone.localdate())
        markers = maps.partnership_markers(pairs)
        context["map"] = maps.world_map(markers, home=maps.marker_for(city)) if markers else None
        return context

    max_items = 100  # partnerships listed


# --------------------------------------------------------------------------- site files


class RobotsView(TemplateView):
    """``/robots.txt``: everything but the admin may be crawled; names the sitemap."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context


class FaviconView(View):
    """``/favicon.ico``: a permanent redirect to the site's icon (``static/img/favicon.svg``), for
    the browsers and crawlers that ask for it at the root whatever the page's ``<link rel=icon>``."""

    def get(self, request, *args, **kwargs):
        return HttpResponsePermanentRedirect(static("img/favicon.svg"))
