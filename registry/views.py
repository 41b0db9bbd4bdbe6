"""Public, server-rendered pages."""

from http import HTTPStatus

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from . import network
from .forms import AsOfForm
from .models import Agreement, City, Event, Partnership, home_city


class HomeView(TemplateView):
    """``/``: the network at a glance on ``?as_of=YYYY-MM-DD`` (default today).

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

    def get_context_data(self, *, as_of, valid, **kwargs):
        context = super().get_context_data(**kwargs)
        home = home_city()
        context.update(home=home, as_of=as_of, valid=valid)
        if home is not None and valid:
            context["summary"] = network.cached_network_summary(home, as_of)
            context["first_partners"] = network.first_partners(home, as_of)
            context["latest_agreements"] = (
                Agreement.objects.published().filter(signed_on__lte=as_of).select_related("place")[:5]
            )
            context["latest_events"] = Event.objects.published().filter(start_on__lte=as_of).select_related("city")[:5]
        return context


class CityListView(ListView):
    """``/cities/``: partner and other cities, searchable with ``?q=``."""

    model = City
    paginate_by = 50

    def get_queryset(self):
        qs = City.objects.all()
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.search(query)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        return context


class CityDetailView(DetailView):
    """``/cities/<slug>/``: names, position, partnerships and their history, sources."""

    model = City

    def get_queryset(self):
        return City.objects.prefetch_related(
            "names",
            "sources",
            Prefetch(
                "partnerships_as_partner",
                queryset=Partnership.objects.published().select_related("city").prefetch_related("sources"),
            ),
            Prefetch("partnerships", queryset=Partnership.objects.published().select_related("partner")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        city = self.object
        context["agreements"] = (
            Agreement.objects.published()
            .filter(Q(place=city) | Q(partnership__partner=city) | Q(partnership__city=city))
            .distinct()
            .select_related("place")
        )
        context["events"] = Event.objects.published().filter(Q(city=city) | Q(partnership__partner=city)).distinct()
        return context
