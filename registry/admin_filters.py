"""The admin's list filters of the registry's own rules (:mod:`registry.admin`,
:mod:`registry.admin_partnerships`): UN M49 region, possible duplicate city, dormant relation and
partner country, each reading its rule from the queryset that holds it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import regions
from .models import City, Partnership, other_side


class RegionListFilter(admin.SimpleListFilter):
    """Filter by UN M49 sub-region through the queryset's ``in_region`` (the rule's one home: a
    city's own country, a partnership's partner city's country)."""

    title = _("UN M49 region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        """The sub-regions by name in the reader's language (가나다 order on Korean pages: Hangul
        syllables are encoded in that order)."""
        names = [(region.slug, str(region.name())) for region in regions.all_regions("subregion")]
        return sorted(names, key=lambda item: item[1])

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            region = regions.get_region(self.value())
        except KeyError:
            return queryset.none()
        return queryset.in_region(region)


class PossibleDuplicateFilter(admin.SimpleListFilter):
    """Cities sharing a folded name with another city of the same country
    (:meth:`CityQuerySet.possible_duplicate_ids`)."""

    title = _("possible duplicate")
    parameter_name = "possible_duplicate"

    def lookups(self, request, model_admin):
        return [("1", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(pk__in=City.objects.possible_duplicate_ids())
        return queryset


class DormantFilter(admin.SimpleListFilter):
    """Dormant relations or the others, through :meth:`PartnershipQuerySet.with_last_activity`."""

    title = _("dormant")
    parameter_name = "dormant"

    def lookups(self, request, model_admin):
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1"}:
            return queryset.with_last_activity(request.user).filter(dormant=self.value() == "1")
        return queryset


class PartnerCountryFilter(admin.SimpleListFilter):
    """Filter partnerships by the country of the city on the other side from the home city, as
    the region filter and the public lists do (:meth:`PartnershipQuerySet.for_country`; only
    countries present)."""

    title = _("partner country")
    parameter_name = "partner_country"

    def lookups(self, request, model_admin):
        present = set(Partnership.objects.order_by().values_list(other_side("country"), flat=True).distinct())
        return [(code, name) for code, name in countries if code in present]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.for_country(self.value())
        return queryset
