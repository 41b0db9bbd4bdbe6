"""Django admin for staff of the international relations office.

Every registry model is registered with change history (django-simple-history):
each change page has a “History” button listing who changed what, with a revert.
Changelists cost a fixed number of queries whatever the page size
(``list_select_related`` and prefetches for the columns shown).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.filters import CountryFilter

from . import (
    admin_partnerships,  # noqa: F401  (registers the partnerships' admin)
    admin_wikidata,  # noqa: F401  (registers the Wikidata proposals' admin)
    resources,
)
from .admin_base import (
    TIMESTAMPS,
    CitedRecordAdmin,
    ClaimInline,
    OrderedInlineFormSet,
    PartialDatesModelForm,
    RegistryAdmin,
    VersionedModelForm,
    list_cell,
    list_date,
)
from .admin_filters import PossibleDuplicateFilter, RegionListFilter
from .admin_ids import CheckedIdsMixin
from .admin_imports import SpreadsheetMixin
from .guided_entry import possible_duplicate
from .models import (
    Agreement,
    City,
    CityName,
    CooperationField,
    Delegation,
    DelegationMember,
    Event,
    EventParticipant,
    ItineraryStop,
    OfficeAssignment,
    Organization,
    Outcome,
    Person,
    SentReminder,
    Signatory,
    Source,
    StaffProfile,
)

admin.site.site_header = _("City Diplomacy Registry")
admin.site.site_title = _("City Diplomacy Registry")
admin.site.index_title = _("Registry administration")


class CityAdminForm(VersionedModelForm):
    """The city form: warns when a city of the same country already has one of the names typed
    (folded, former names and aliases included: :meth:`CityQuerySet.named`), links to it, and
    saves only once the user ticks "save anyway" (shown with the warning). A stored city is checked
    only when one of its names or its country changes (:data:`NAMING_FIELDS`): once a second city
    of the same name existed, every save of the first (a population, a revert) was held back by
    the warning (new-user probe)."""

    NAMING_FIELDS = frozenset({"name_en", "name_ko", "name_native", "country"})

    save_anyway = forms.BooleanField(
        label=_("Save anyway: this is a different city"), required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country")
        if not country or cleaned.get("save_anyway"):
            return cleaned
        if not self.instance._state.adding and not self.NAMING_FIELDS.intersection(self.changed_data):
            return cleaned
        same = City.objects.none()
        for name in ("name_en", "name_ko", "name_native"):
            if cleaned.get(name):
                same = same | City.objects.named(cleaned[name], country)
        same = same.exclude(pk=self.instance.pk).distinct()[:5]
        if same:
            self.fields["save_anyway"].widget = forms.CheckboxInput()
            raise possible_duplicate(
                [(city, city.name_and_country) for city in same],
                _("A city with this name already exists in this country:"),
                _("Check that it is not the same city; to save it all the same, tick “Save anyway” below."),
            )
        return cleaned


# --------------------------------------------------------------------------- sources, fields


@admin.register(Source)
class SourceAdmin(CitedRecordAdmin):
    # Long titles and addresses wrap anywhere (static/css/admin_lists.css): a title that is an
    # address widened the list to 1,900 px.
    list_display = ("title", "publisher", "published_display", "language", "url")
    list_filter = ("language", "publisher")
    search_fields = ("title", "publisher", "url", "slug")
    date_hierarchy = "published_on"
    slug_from = "title"

    @admin.display(description=_("published on"), ordering="published_on")
    def published_display(self, obj):
        return list_date(obj.published_on)


@admin.register(CooperationField)
class CooperationFieldAdmin(CitedRecordAdmin):
    list_display = ("name_en", "name_ko", "slug")
    search_fields = ("name_en", "name_ko", "slug")
    slug_from = "name_en"


# --------------------------------------------------------------------------- cities


class CityNameInline(CheckedIdsMixin, admin.TabularInline):
    model = CityName
    extra = 0
    fields = ("name", "kind", "used_from", "used_until", "notes")


@admin.register(City)
class CityAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.CityResource]
    form = CityAdminForm
    # Fits a 1,280 px window beside the menu and the filters (static/css/admin_lists.css): the
    # sub-region (the country's, filtered by "By region") under the country, a short header for
    # the administrative level; seven columns took 884 px where the table had 630.
    list_display = ("name_en", "name_ko", "name_native", "country_display", "level", "confidence")
    list_filter = (
        ("country", CountryFilter),
        RegionListFilter,
        "admin_level",
        "subdivision",
        "confidence",
        PossibleDuplicateFilter,
    )
    search_fields = ("name_en", "name_ko", "name_native", "names__name", "slug", "search_text", "wikidata_id")
    slug_from = "name_en"
    autocomplete_fields = ("sources",)
    inlines = [CityNameInline]
    readonly_fields = (*TIMESTAMPS, "region_name", "subregion_name")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "save_anyway",
                    "name_en",
                    "name_ko",
                    "name_native",
                    "name_native_language",
                    "slug",
                    "country",
                    "region_name",
                    "subregion_name",
                )
            },
        ),
        (_("Details"), {"fields": ("admin_level", "subdivision", "population", "population_year", "wikidata_id")}),
        (_("Position"), {"fields": ("latitude", "longitude", "coordinates_source")}),
        (_("Evidence"), {"fields": ("confidence", "sources", "notes")}),
        (_("Public remarks"), {"fields": ("remarks_en", "remarks_ko")}),
        (_("Record"), {"fields": TIMESTAMPS, "classes": ("collapse",)}),
    )

    @admin.display(description=_("country"), ordering="country")
    def country_display(self, obj):
        """The country with its UN M49 sub-region under it (no query: both come from the code)."""
        return list_cell(obj.country.name, self.subregion_name(obj))

    @admin.display(description=pgettext_lazy("change list column", "level"), ordering="admin_level")
    def level(self, obj):
        return obj.get_admin_level_display()

    @admin.display(description=_("UN M49 region"))
    def region_name(self, obj):
        return obj.region.name() if obj and obj.region else "—"

    @admin.display(description=_("UN M49 sub-region"))
    def subregion_name(self, obj):
        return obj.subregion.name() if obj and obj.subregion else "—"


@admin.register(CityName)
class CityNameAdmin(RegistryAdmin):
    list_display = ("name", "kind", "city", "used_from", "used_until")
    list_filter = ("kind",)
    list_select_related = ("city",)
    search_fields = ("name", "city__name_en", "city__name_ko")
    autocomplete_fields = ("city",)


# --------------------------------------------------------------------------- people and organizations


@admin.register(Organization)
class OrganizationAdmin(RegistryAdmin):
    list_display = ("name_en", "name_ko", "kind", "city", "country")
    list_filter = ("kind", ("country", CountryFilter))
    list_select_related = ("city",)
    search_fields = ("name_en", "name_ko", "name_native", "slug")
    autocomplete_fields = ("city", "sources")
    slug_from = "name_en"


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    list_display = ("name_en", "name_ko", "slug")
    search_fields = ("name_en", "name_ko", "name_native", "slug")
    autocomplete_fields = ("sources",)
    slug_from = "name_en"


# --------------------------------------------------------------------------- offices


@admin.register(OfficeAssignment)
class OfficeAssignmentAdmin(CheckedIdsMixin, admin.ModelAdmin):
    """Which staff accounts are limited to which home cities (an account with none changes all)."""

    list_display = ("user", "city", "created_at")
    list_filter = (("city", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("user", "city")
    search_fields = ("user__username", "city__name_en", "city__name_ko", "city__slug")
    autocomplete_fields = ("user", "city")
    readonly_fields = ("created_at",)
    change_list_template = "admin/change_list.html"  # no history of deleted rows to link to


# --------------------------------------------------------------------------- agreements


class SignatoryInline(CheckedIdsMixin, admin.TabularInline):
    formset = OrderedInlineFormSet
    model = Signatory
    extra = 0
    fields = ("order", "person", "role", "role_ko", "organization")
    autocomplete_fields = ("person", "organization")


class AgreementAdminForm(PartialDatesModelForm):
    """The agreement's add and change form: its signing date typed to its precision (``1989`` with
    ``year``, ``1989-10`` with ``month`` or a full date), as the API and imports take it."""

    partial_dates = {"signed_on": "signed_precision"}


@admin.register(Agreement)
class AgreementAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.AgreementResource]
    form = AgreementAdminForm
    # Fits a 1,280 px window beside the menu and the filters (static/css/admin_lists.css): the kind
    # (filtered by "By kind") under the title and the place under the date of signing; eight
    # columns took 910 px where the table had 630.
    list_display = ("title_display", "signed_display", "partnership", "status", "expires_display", "publication")
    list_filter = ("publication", "kind", "status", "automatic_renewal", "fields", "signed_precision")
    list_select_related = ("place", "partnership__city", "partnership__partner")
    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue", "venue_ko", "slug")
    autocomplete_fields = ("partnership", "parties", "place", "fields", "sources", "superseded_by")
    date_hierarchy = "signed_on"
    inlines = [SignatoryInline, ClaimInline]
    slug_from = "title_en"

    @admin.display(description=_("title (English)"), ordering="title_en")
    def title_display(self, obj):
        return list_cell(obj.title_en, obj.get_kind_display())

    @admin.display(description=pgettext_lazy("change list column", "signed"), ordering="signed_on")
    def signed_display(self, obj):
        """The date as staff type it (``1989``, ``1989-10`` or ``1989-10-23``) and the place under it."""
        return list_cell(list_date(obj.signed_on, obj.signed_precision) or "—", obj.place)

    @admin.display(description=pgettext_lazy("change list column", "expires"), ordering="expires_on")
    def expires_display(self, obj):
        return list_date(obj.expires_on)


# --------------------------------------------------------------------------- events


class EventParticipantInline(CheckedIdsMixin, admin.TabularInline):
    formset = OrderedInlineFormSet
    model = EventParticipant
    extra = 0
    fields = ("order", "person", "role", "role_ko", "organization")
    autocomplete_fields = ("person", "organization")


class EventAdminForm(PartialDatesModelForm):
    """The event's add and change form: its start typed to its precision (``1989`` with ``year``,
    ``1989-10`` with ``month`` or a full date), as the API and imports take it."""

    partial_dates = {"start_on": "start_precision"}


@admin.register(Event)
class EventAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.EventResource]
    form = EventAdminForm
    # Fits a 1,280 px window beside the menu and the filters (static/css/admin_lists.css): the end
    # under the start and the venue under the city, the titles readable (one word a line before).
    list_display = ("title_en", "kind", "start_display", "city_display", "publication")
    list_filter = ("publication", "kind", ("city__country", CountryFilter))
    list_select_related = ("city",)
    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue", "venue_ko", "slug")
    autocomplete_fields = ("city", "partnership", "agreement", "delegation", "sources")
    date_hierarchy = "start_on"
    inlines = [EventParticipantInline, ClaimInline]
    slug_from = "title_en"

    @admin.display(description=_("start"), ordering="start_on")
    def start_display(self, obj):
        """The start as staff type it (``1989``, ``1989-10`` or ``1989-10-23``), the end under it."""
        end = list_date(obj.end_on)
        return list_cell(list_date(obj.start_on, obj.start_precision), end and format_html("– {}", end))

    @admin.display(description=_("city"), ordering="city__name_en")
    def city_display(self, obj):
        return list_cell(obj.city or "-", obj.venue)


# --------------------------------------------------------------------------- delegations


class DelegationMemberInline(CheckedIdsMixin, admin.TabularInline):
    formset = OrderedInlineFormSet
    model = DelegationMember
    extra = 0
    fields = ("order", "person", "role", "role_ko", "organization")
    autocomplete_fields = ("person", "organization")


class ItineraryStopInline(CheckedIdsMixin, admin.StackedInline):
    """One block per stop: the city, the two dates and two purposes do not fit a table row."""

    formset = OrderedInlineFormSet
    model = ItineraryStop
    extra = 0
    fields = ("order", "city", ("arrive_on", "depart_on"), "purpose_en", "purpose_ko")
    autocomplete_fields = ("city",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class OutcomeInline(CheckedIdsMixin, admin.StackedInline):
    formset = OrderedInlineFormSet
    model = Outcome
    extra = 0
    fields = (
        ("order", "kind"),
        "description_en",
        "description_ko",
        ("amount_qualifier", "amount", "currency"),
        ("count", "count_unit", "count_unit_ko"),
        "agreement",
    )
    autocomplete_fields = ("agreement",)


@admin.register(Delegation)
class DelegationAdmin(RegistryAdmin):
    # Fits a 1,280 px window beside the menu and the filters (static/css/admin_lists.css): the end
    # under the start.
    list_display = ("name_en", "kind", "start_display", "organizer", "stops", "publication")
    list_filter = ("publication", "kind")
    list_select_related = ("organizer",)
    search_fields = ("name_en", "name_ko", "purpose_en", "purpose_ko", "slug")
    autocomplete_fields = ("organizer", "leader", "travelled_with", "sources")
    date_hierarchy = "start_on"
    inlines = [DelegationMemberInline, ItineraryStopInline, OutcomeInline]
    slug_from = "name_en"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(stop_count=Count("itinerary"))

    @admin.display(description=_("start"), ordering="start_on")
    def start_display(self, obj):
        end = list_date(obj.end_on)
        return list_cell(list_date(obj.start_on) or "-", end and format_html("– {}", end))

    @admin.display(description=_("stops"), ordering="stop_count")
    def stops(self, obj):
        return obj.stop_count


# --------------------------------------------------------------------------- reminders


@admin.register(StaffProfile)
class StaffProfileAdmin(CheckedIdsMixin, admin.ModelAdmin):
    """Each member of staff's e-mail language (reminders are sent in it)."""

    change_list_template = "admin/change_list.html"  # no history/restore links: not a history model
    list_display = ("user", "language")
    list_filter = ("language",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)


@admin.register(SentReminder)
class SentReminderAdmin(CheckedIdsMixin, admin.ModelAdmin):
    """What the daily reminders job sent (read-only: the job writes it)."""

    change_list_template = "admin/change_list.html"  # no history/restore links: not a history model
    list_display = ("sent_at", "recipient", "kind", "subject", "due_on", "lead_days")
    list_filter = ("kind", "lead_days")
    list_select_related = ("recipient",)
    search_fields = ("subject", "recipient__username", "recipient__email")
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
