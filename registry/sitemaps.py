"""``/sitemap.xml``: every public page in English and Korean (django.contrib.sitemaps); what an
anonymous reader may see (the models' ``public()``), whoever asks."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Agreement, City, Delegation, Event


class RegistrySitemap(Sitemap):
    """Base: each page in every language, with ``hreflang`` alternates."""

    i18n = True
    alternates = True
    x_default = True


class StaticSitemap(RegistrySitemap):
    changefreq = "weekly"

    def items(self):
        return ["home", "city-list", "country-list", "agreement-list", "event-list", "delegation-list"]

    def location(self, item):
        return reverse(f"registry:{item}")


class CitySitemap(RegistrySitemap):
    def items(self):
        return City.objects.public().only("slug", "updated_at").order_by("slug")

    def lastmod(self, obj):
        return obj.updated_at


class CountrySitemap(RegistrySitemap):
    def items(self):
        codes = City.objects.public().order_by().values_list("country", flat=True).distinct()
        return sorted(code.lower() for code in codes)

    def location(self, item):
        return reverse("registry:country-detail", kwargs={"code": item})


class SluggedSitemap(RegistrySitemap):
    """Published records of ``model`` at ``registry:<url_name>``."""

    model = None
    url_name = ""

    def items(self):
        return self.model.objects.public().only("slug", "updated_at").order_by("slug")

    def location(self, obj):
        return reverse(f"registry:{self.url_name}", kwargs={"slug": obj.slug})

    def lastmod(self, obj):
        return obj.updated_at


class AgreementSitemap(SluggedSitemap):
    model, url_name = Agreement, "agreement-detail"


class EventSitemap(SluggedSitemap):
    model, url_name = Event, "event-detail"


class DelegationSitemap(SluggedSitemap):
    model, url_name = Delegation, "delegation-detail"


SITEMAPS = {
    "pages": StaticSitemap,
    "cities": CitySitemap,
    "countries": CountrySitemap,
    "agreements": AgreementSitemap,
    "events": EventSitemap,
    "delegations": DelegationSitemap,
}
