"""``/sitemap.xml``: a sitemap index of every public page in English and Korean
(django.contrib.sitemaps), one sitemap per kind of page at ``/sitemap-<section>.xml``, each in
pages (``?p=2``) of at most :attr:`RegistrySitemap.limit` URLs; what an anonymous reader may see
(the models' ``public()``), whoever asks.

One sitemap of every page held 132,604 URLs and 52.8 MB at 100,000 partnerships and 200,000
events, beyond the protocol's 50,000 URLs and 50 MB a file, took 23 s to write, and listed only
the first 25,000 events (national-scale probe)."""

from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Agreement, City, Delegation, Event, Partnership
from .paths import record_path


class ItemsInEachLanguage(Sequence):
    """The ``(item, language)`` pairs of a sitemap in Django's order (each item in every language
    of ``get_languages_for_item``, the same for every item here), read from the items a page at a
    time: Django's i18n sitemap lists every pair of every item for any page (all 200,000 events
    to write 5,000 of them)."""

    def __init__(self, sitemap: Sitemap):
        self.items = sitemap.items()
        self.languages = list(sitemap.get_languages_for_item(None))

    @cached_property
    def count_items(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def __len__(self) -> int:
        return self.count_items * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        start, stop, _step = index.indices(len(self))
        size = len(self.languages)
        first = start // size
        pairs = [(item, code) for item in self.items[first : -(-stop // size)] for code in self.languages]
        return pairs[start - first * size : stop - first * size]


class RegistrySitemap(Sitemap):
    """Base: each page in every language, with ``hreflang`` alternates; ``limit`` URLs a page
    (each language's counts: 5,000 records), a file of about 5 MB, read a page at a time
    (:class:`ItemsInEachLanguage`)."""

    i18n = True
    alternates = True
    x_default = True
    limit = 10_000

    @property
    def paginator(self) -> Paginator:
        return Paginator(ItemsInEachLanguage(self), self.limit)


class UpdatedSitemap(RegistrySitemap):
    """Records with ``updated_at``: each URL's ``lastmod``, and the latest of them in the index
    from the database (Django's reads every item)."""

    def lastmod(self, obj):
        return obj.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class StaticSitemap(RegistrySitemap):
    changefreq = "weekly"

    def items(self):
        return ["home", "city-list", "country-list", "agreement-list", "event-list", "delegation-list"]

    def location(self, item):
        return reverse(f"registry:{item}")


class CitySitemap(UpdatedSitemap):
    def items(self):
        return City.objects.public().only("slug", "updated_at").order_by("slug")


class CountrySitemap(RegistrySitemap):
    def items(self):
        codes = City.objects.public().order_by().values_list("country", flat=True).distinct()
        return sorted(code.lower() for code in codes)

    def location(self, item):
        return record_path("registry:country-detail", code=item)


class SluggedSitemap(UpdatedSitemap):
    """Published records of ``model``, each at its page (``get_absolute_url``)."""

    model = None

    def items(self):
        return self.model.objects.public().only("slug", "updated_at").order_by("slug")


class PartnershipSitemap(UpdatedSitemap):
    """Published partnerships' pages, by id."""

    def items(self):
        return Partnership.objects.public().only("pk", "updated_at").order_by("pk")


class AgreementSitemap(SluggedSitemap):
    model = Agreement


class EventSitemap(SluggedSitemap):
    model = Event


class DelegationSitemap(SluggedSitemap):
    model = Delegation


SITEMAPS = {
    "pages": StaticSitemap,
    "cities": CitySitemap,
    "countries": CountrySitemap,
    "partnerships": PartnershipSitemap,
    "agreements": AgreementSitemap,
    "events": EventSitemap,
    "delegations": DelegationSitemap,
}
