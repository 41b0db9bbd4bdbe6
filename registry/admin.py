"""Django admin for staff of the international relations office.

Every registry model is registered with change history (django-simple-history):
each change page has a “History” button listing who changed what, with a revert.
Changelists cost a fixed number of queries whatever the page size
(``list_select_related`` and prefetches for the columns shown).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget, FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import (
    admin_wikidata,  # noqa: F401  (registers the Wikidata proposals' admin)
    guided_entry,
    regions,
    resources,
    services,
)
from .admin_ids import CheckedIdsMixin, parse_id
from .admin_imports import SpreadsheetMixin
from .concurrency import VersionConflict, check_version, current_version
from .dates import partial_date, validate_in_range
from .models import (
    Agreement,
    City,
    CityName,
    Claim,
    CooperationField,
    DatePrecision,
    Delegation,
    DelegationMember,
    Event,
    EventParticipant,
    ItineraryStop,
    OfficeAssignment,
    Organization,
    Outcome,
    Partnership,
    PartnershipStage,
    Person,
    SentReminder,
    Signatory,
    Source,
    StaffProfile,
    home_city,
    may_change,
)
from .models.offices import refusal

admin.site.site_header = _("City Diplomacy Registry")
admin.site.site_title = _("City Diplomacy Registry")
admin.site.index_title = _("Registry administration")

TIMESTAMPS = ("created_at", "updated_at")


class RegionFilter(admin.SimpleListFilter):
    """Filter by UN M49 sub-region through the queryset's ``in_region`` (the rule's one home: a
    city's own country, a partnership's partner city's country)."""

    title = _("UN M49 region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(region.slug, region.name()) for region in regions.all_regions("subregion")]

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
    """Filter partnerships by the partner city's country (only countries present)."""

    title = _("partner country")
    parameter_name = "partner_country"

    def lookups(self, request, model_admin):
        codes = City.objects.filter(partnerships_as_partner__isnull=False).values_list("country", flat=True)
        present = set(codes)
        return [(code, name) for code, name in countries if code in present]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(partner__country=self.value())
        return queryset


class VersionedModelForm(forms.ModelForm):
    """Admin form that refuses to save over a version someone else saved meanwhile.

    ``expected_version`` (hidden) carries the version the editor started from: the stored
    one when the form was opened (also when reverting to an old version from the history).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=2000,
        help_text=_(
            "Shown in the history. Required to correct the kind or the established date of a published partnership."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = current_version(self.instance)
        record = getattr(self.instance, "_history", None)
        if record is not None:
            # Reverting to a version of the history: its sources, fields and parties too, not
            # today's (the historical instance's relations would read the current rows).
            for name, pks in services.historic_relations(record).items():
                if name in self.fields:
                    self.initial[name] = pks

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("change_reason") or "").strip()
        # Read by the model's clean() (a correction needs a reason) and by the history.
        self.instance.correction_reason = reason
        if reason:
            self.instance._change_reason = reason
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            try:
                check_version(self.instance, expected)
            except VersionConflict as conflict:
                raise forms.ValidationError(conflict.message, code="version_conflict") from None
        return cleaned


class CityAdminForm(VersionedModelForm):
    """The city form: warns when a city of the same country already has one of the names typed
    (folded, former names and aliases included: :meth:`CityQuerySet.named`), links to it, and
    saves only once the user ticks "save anyway" (shown with the warning)."""

    save_anyway = forms.BooleanField(
        label=_("Save anyway: this is a different city"), required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country")
        if not country or cleaned.get("save_anyway"):
            return cleaned
        same = City.objects.none()
        for name in ("name_en", "name_ko", "name_native"):
            if cleaned.get(name):
                same = same | City.objects.named(cleaned[name], country)
        same = same.exclude(pk=self.instance.pk).distinct()[:5]
        if same:
            self.fields["save_anyway"].widget = forms.CheckboxInput()
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:registry_city_change", args=[city.pk]), f"{city.name_en}, {city.country}")
                    for city in same
                ),
            )
            raise forms.ValidationError(
                format_html(
                    "{} {}. {}",
                    _("A city with this name already exists in this country:"),
                    links,
                    _("Check that it is not the same city; to save it all the same, tick “Save anyway” below."),
                ),
                code="possible_duplicate",
            )
        return cleaned


EMPTY = "—"  # an empty value (None, "", no related object) in the history


class LabelledHistoryHelper(HistoricalRecordContextHelper):
    """The "Changes" column of every registry admin's history page, in the words of the change
    form: a choice's label ("friendship city → sister city"), a related record's name (also
    for many-to-many fields and records deleted since, via simple-history's ``DeletedObject``),
    "yes"/"no" for a boolean, a date at ISO 8601, and "—" for an empty value, never "None"."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            return ", ".join(self.label(field, item) for item in value) or EMPTY
        return self.label(field, value)

    @staticmethod
    def label(field, value):
        """``value`` of model ``field`` as the change form shows it (``str``)."""
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return EMPTY
        if isinstance(value, DeletedObject):  # deleted since: its name in its last history record
            history = getattr(value.model, "history", None)
            last = (
                history.filter(**{value.model._meta.pk.attname: value.pk}).order_by("-history_date").first()
                if history is not None
                else None
            )
            name = str(last.instance) if last is not None else f"#{value.pk}"
            return str(_("%(name)s (deleted)") % {"name": name})
        if field.flatchoices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)


class RegistryAdmin(CheckedIdsMixin, SimpleHistoryAdmin):
    """Shared defaults: timestamps read-only, optimistic locking, history with restore.

    Anyone who may view a record sees its history (who changed what, when, with the
    differences); only holders of ``registry.restore_records`` (Registry managers) may
    revert to an earlier version or restore deleted records.
    """

    form = VersionedModelForm
    readonly_fields = TIMESTAMPS
    save_on_top = True
    list_per_page = 100
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/registry/change_list.html"
    object_history_list_template = "admin/registry/object_history_list.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = [name for _, options in fieldsets for name in options["fields"]]
        missing = [name for name in ("expected_version", "change_reason") if name not in names]
        if missing:
            first, options = fieldsets[0]
            fieldsets = [(first, {**options, "fields": [*options["fields"], *missing]}), *fieldsets[1:]]
        return fieldsets

    def get_changelist_instance(self, request):
        """Django's changelist, with a filter value that cannot become a date (``?published_on__year=``
        beyond any integer the database takes: ``OverflowError``) treated like any invalid lookup:
        the list reloads without it, marked with Django's error flag (found by the adversarial probe)."""
        try:
            return super().get_changelist_instance(request)
        except OverflowError:
            raise IncorrectLookupParameters from None

    # --- offices: an account limited to home cities changes only their records (models.offices)
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may_change(request.user, obj))

    def save_model(self, request, obj, form, change):
        """Refuse (403) a record that would leave the account's offices, such as a partnership
        between two cities neither of which is the office's."""
        if not may_change(request.user, obj):
            raise PermissionDenied(refusal(request.user))
        super().save_model(request, obj, form, change)

    # --- history and restore
    def get_historical_record_context_helper(self, request, historical_record):
        """Changes shown with labels, not raw values (:class:`LabelledHistoryHelper`)."""
        return LabelledHistoryHelper(self.model, historical_record)

    def has_restore_permission(self, request) -> bool:
        return request.user.has_perm("registry.restore_records")

    def has_change_history_permission(self, request, obj=None):
        return self.has_restore_permission(request) and self.has_change_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        return not self.has_change_history_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        self.check_object_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.check_object_id(object_id)
        self.check_object_id(version_id, self.model.history.model._meta.pk)
        if request.method == "POST" and not self.has_change_history_permission(
            request, self.get_object(request, unquote(object_id))
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def check_object_id(self, value, field=None):
        """404 for an id in a URL that is no id at all (text, NUL, 10,000 digits): the history
        views would otherwise hand it to the database, which answers with an error (500)."""
        if parse_id(field or self.model._meta.pk, value) is None:
            raise Http404

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        """List this model's deleted records; POST ``restore=<id>`` restores one (managers only)."""
        if not self.has_restore_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            try:
                pk = parse_id(self.model._meta.pk, request.POST.get("restore"))
                if pk is None:
                    raise ValueError(_("“restore” is not an id."))
                restored = services.restore_deleted(model=self.model, pk=pk)
            except (ValueError, LookupError, ValidationError) as error:
                self.message_user(request, _("Not restored: %(error)s") % {"error": error}, messages.ERROR)
            else:
                self.message_user(request, _("Restored “%(obj)s”.") % {"obj": restored}, messages.SUCCESS)
                change_url = reverse(
                    f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", args=[restored.pk]
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Deleted %(name)s") % {"name": self.model._meta.verbose_name_plural},
            "records": services.deleted_records(self.model),
        }
        return TemplateResponse(request, "admin/registry/deleted.html", context)


# --------------------------------------------------------------------------- sources, fields


class CitedRecordAdmin(RegistryAdmin):
    """Deleting a source or cooperation field that records still cite is refused, naming them."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            for record in obj.citing_records():
                protected.append(f"{record._meta.verbose_name.capitalize()}: {record}")
        return to_delete, model_count, perms_needed, protected


@admin.register(Source)
class SourceAdmin(CitedRecordAdmin):
    list_display = ("title", "publisher", "published_on", "language", "url")
    list_filter = ("language", "publisher")
    search_fields = ("title", "publisher", "url", "slug")
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ("title",)}


@admin.register(CooperationField)
class CooperationFieldAdmin(CitedRecordAdmin):
    list_display = ("name_en", "name_ko", "slug")
    search_fields = ("name_en", "name_ko", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


# --------------------------------------------------------------------------- cities


class OrderedInlineFormSet(forms.BaseInlineFormSet):
    """Refuses two rows with the same ``order`` (the database would, with a 500)."""

    def clean(self):
        seen: dict[int, int] = {}
        for number, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            order = form.cleaned_data.get("order")
            if order is None:
                continue
            if order in seen:
                form.add_error(
                    "order", _("Row %(row)d already has order %(order)d.") % {"row": seen[order], "order": order}
                )
            seen.setdefault(order, number)
        super().clean()


class CityNameInline(CheckedIdsMixin, admin.TabularInline):
    model = CityName
    extra = 0
    fields = ("name", "kind", "used_from", "used_until", "notes")


@admin.register(City)
class CityAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.CityResource]
    form = CityAdminForm
    list_display = ("name_en", "name_ko", "name_native", "country", "subregion_name", "admin_level", "confidence")
    list_filter = (
        ("country", CountryFilter),
        RegionFilter,
        "admin_level",
        "subdivision",
        "confidence",
        PossibleDuplicateFilter,
    )
    search_fields = ("name_en", "name_ko", "name_native", "names__name", "slug", "search_text", "wikidata_id")
    prepopulated_fields = {"slug": ("name_en",)}
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

    @admin.display(description=_("UN M49 region"))
    def region_name(self, obj):
        return obj.region.name() if obj and obj.region else "—"

    @admin.display(description=_("UN M49 sub-region"))
    def subregion_name(self, obj):
        return obj.subregion.name() if obj and obj.subregion else "—"

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            queryset |= self.model.objects.search(search_term)
        return queryset, may_have_duplicates


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
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    list_display = ("name_en", "name_ko", "slug")
    search_fields = ("name_en", "name_ko", "name_native", "slug")
    autocomplete_fields = ("sources",)
    prepopulated_fields = {"slug": ("name_en",)}


# --------------------------------------------------------------------------- partnerships


class PartnershipActionForm(forms.Form):
    """The intermediate form of the partnership actions (Sign, Upgrade, Suspend, Resume, Renew, End):
    the date with its precision, the required reason (and its optional Korean text) and the
    sources the stage cites."""

    on = forms.DateField(label=_("Date"), widget=AdminDateWidget, validators=[validate_in_range])
    precision = forms.ChoiceField(label=_("Precision of the date"), choices=DatePrecision.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reason_ko = forms.CharField(
        label=_("Reason (Korean)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("title", "id"),
        required=False,
        widget=FilteredSelectMultiple(_("Sources"), is_stacked=False),
    )


# Action name → (service, its date argument, verb for the page, message on success).
PARTNERSHIP_ACTIONS = {
    "sign_partnerships": (services.sign_partnership, "on", _("Sign")),
    "upgrade_partnerships": (services.upgrade_partnership, "on", _("Upgrade to sister city")),
    "suspend_partnerships": (services.suspend_partnership, "on", _("Suspend")),
    "resume_partnerships": (services.resume_partnership, "on", _("Resume")),
    "renew_partnerships": (services.renew_partnership, "on", _("Renew")),
    "end_partnerships": (services.end_partnership, "ended_on", _("End")),
}


class PartnershipStageInline(CheckedIdsMixin, admin.TabularInline):
    """Stages without an action of their own (letter of intent, council approval) are added here;
    signed, upgraded, renewed, suspended, resumed and ended come from the actions."""

    model = PartnershipStage
    extra = 0
    fields = ("kind", "on", "precision", "reference", "note_en", "note_ko", "sources")
    autocomplete_fields = ("sources",)


class ClaimInline(CheckedIdsMixin, admin.TabularInline):
    """The sources of each fact: each value claimed for a fact with its sources (two or more
    values: the sources differ); one value per fact is preferred. Used on partnerships,
    agreements and events."""

    model = Claim
    extra = 0
    fields = ("fact", "value", "preferred", "note_en", "note_ko", "sources")
    autocomplete_fields = ("sources",)


@admin.register(Partnership)
class PartnershipAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.PartnershipResource]
    inlines = [PartnershipStageInline, ClaimInline]
    list_display = (
        "partner",
        "partner_country",
        "city",
        "kind",
        "established_display",
        "status",
        "ended_display",
        "confidence",
        "last_activity_display",
        "publication",
    )
    list_filter = (
        "publication",
        "kind",
        "status",
        "confidence",
        DormantFilter,
        PartnerCountryFilter,
        RegionFilter,
        "fields",
        "established_precision",
    )
    list_select_related = ("city", "partner")
    search_fields = (
        "partner__name_en",
        "partner__name_ko",
        "partner__name_native",
        "partner__names__name",
        "city__name_en",
        "city__name_ko",
        "notes",
    )
    autocomplete_fields = ("city", "partner", "fields", "sources", "predecessor")
    date_hierarchy = "established_on"
    actions = list(PARTNERSHIP_ACTIONS)
    fieldsets = (
        (None, {"fields": ("city", "partner", "kind", "fields", "predecessor")}),
        (_("Dates"), {"fields": ("established_on", "established_precision")}),
        (_("Status"), {"fields": ("status", "ended_on", "ended_precision", "status_reason", "status_reason_ko")}),
        (_("Evidence"), {"fields": ("confidence", "sources", "notes")}),
        (_("Public remarks"), {"fields": ("remarks_en", "remarks_ko")}),
        (_("Record"), {"fields": ("publication", *TIMESTAMPS)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_activity(request.user)

    def get_urls(self):
        return [
            path(
                "record-new/",
                self.admin_site.admin_view(self.record_new_view),
                name="registry_partnership_record_new",
            ),
            *super().get_urls(),
        ]

    def record_new_view(self, request):
        """“Record a new partnership” on one page (:mod:`registry.guided_entry`)."""
        return guided_entry.record_new_partnership_view(self, request)

    def get_changeform_initial_data(self, request):
        """A new partnership starts from the home city (``REGISTRY_HOME_CITY``) as its home side."""
        initial = super().get_changeform_initial_data(request)
        home = home_city()
        if home is not None:
            initial.setdefault("city", home.pk)
        return initial

    @admin.display(description=_("last activity"), ordering="last_activity")
    def last_activity_display(self, obj):
        text = partial_date(obj.last_activity)
        return f"{text} ({_('dormant')})" if obj.dormant else text

    def get_readonly_fields(self, request, obj=None):
        """Once recorded, the status and end move only through the actions (they add the stages);
        the Korean text of the reason stays editable (a translation changes no status)."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            fields = (*fields, "status", "ended_on", "ended_precision", "status_reason")
        return fields

    def run_action(self, request, queryset, name: str):
        """Ask for the date, precision, reason and sources, then run the action's service on
        each selected partnership; each runs in its own transaction, refusals are listed."""
        service, date_argument, verb = PARTNERSHIP_ACTIONS[name]
        form = PartnershipActionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for partnership in queryset.select_related("city", "partner"):
                if not may_change(request.user, partnership):
                    refused.append(_("%(row)s: another office’s partnership") % {"row": partnership})
                    continue
                try:
                    service(
                        partnership=partnership,
                        reason=form.cleaned_data["reason"],
                        reason_ko=form.cleaned_data["reason_ko"],
                        precision=form.cleaned_data["precision"],
                        sources=form.cleaned_data["sources"],
                        **{date_argument: form.cleaned_data["on"]},
                    )
                    done += 1
                except ValidationError as error:
                    refused.append(f"{partnership}: {'; '.join(error.messages)}")
            if done:
                self.message_user(
                    request, _("%(action)s: %(n)d partnership(s).") % {"action": verb, "n": done}, messages.SUCCESS
                )
            for message in refused:
                self.message_user(request, _("Refused: %(msg)s") % {"msg": message}, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(action)s: partnerships") % {"action": verb},
            "verb": verb,
            "action": name,
            "form": form,
            "media": self.media + form.media,
            "queryset": queryset.select_related("city", "partner"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/registry/partnership_action.html", context)

    @admin.action(description=_("Record the signature of the selected letters of intent"), permissions=["change"])
    def sign_partnerships(self, request, queryset):
        return self.run_action(request, queryset, "sign_partnerships")

    @admin.action(description=_("Upgrade the selected friendship cities to sister cities"), permissions=["change"])
    def upgrade_partnerships(self, request, queryset):
        return self.run_action(request, queryset, "upgrade_partnerships")

    @admin.action(description=_("Suspend the selected partnerships"), permissions=["change"])
    def suspend_partnerships(self, request, queryset):
        return self.run_action(request, queryset, "suspend_partnerships")

    @admin.action(description=_("Resume the selected partnerships"), permissions=["change"])
    def resume_partnerships(self, request, queryset):
        return self.run_action(request, queryset, "resume_partnerships")

    @admin.action(description=_("Record a renewal of the selected partnerships"), permissions=["change"])
    def renew_partnerships(self, request, queryset):
        return self.run_action(request, queryset, "renew_partnerships")

    @admin.action(description=_("End the selected partnerships (keeps them in the record)"), permissions=["change"])
    def end_partnerships(self, request, queryset):
        return self.run_action(request, queryset, "end_partnerships")

    @admin.display(description=_("country"), ordering="partner__country")
    def partner_country(self, obj):
        return obj.partner.country.name

    @admin.display(description=_("established"), ordering="established_on")
    def established_display(self, obj):
        return partial_date(obj.established_on, obj.established_precision) or _("not signed")

    @admin.display(description=_("ended on"), ordering="ended_on")
    def ended_display(self, obj):
        return partial_date(obj.ended_on, obj.ended_precision) or "—"


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


@admin.register(Agreement)
class AgreementAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.AgreementResource]
    list_display = ("title_en", "kind", "signed_display", "place", "partnership", "status", "expires_on", "publication")
    list_filter = ("publication", "kind", "status", "automatic_renewal", "fields", "signed_precision")
    list_select_related = ("place", "partnership__city", "partnership__partner")
    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue", "venue_ko", "slug")
    autocomplete_fields = ("partnership", "parties", "place", "fields", "sources", "superseded_by")
    date_hierarchy = "signed_on"
    inlines = [SignatoryInline, ClaimInline]
    prepopulated_fields = {"slug": ("title_en",)}

    @admin.display(description=_("signed on"), ordering="signed_on")
    def signed_display(self, obj):
        return partial_date(obj.signed_on, obj.signed_precision) or "—"


# --------------------------------------------------------------------------- events


class EventParticipantInline(CheckedIdsMixin, admin.TabularInline):
    formset = OrderedInlineFormSet
    model = EventParticipant
    extra = 0
    fields = ("order", "person", "role", "role_ko", "organization")
    autocomplete_fields = ("person", "organization")


@admin.register(Event)
class EventAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.EventResource]
    list_display = ("title_en", "kind", "start_display", "end_on", "city", "venue", "publication")
    list_filter = ("publication", "kind", ("city__country", CountryFilter))
    list_select_related = ("city",)
    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue", "venue_ko", "slug")
    autocomplete_fields = ("city", "partnership", "agreement", "delegation", "sources")
    date_hierarchy = "start_on"
    inlines = [EventParticipantInline, ClaimInline]
    prepopulated_fields = {"slug": ("title_en",)}

    @admin.display(description=_("start"), ordering="start_on")
    def start_display(self, obj):
        return partial_date(obj.start_on, obj.start_precision)


# --------------------------------------------------------------------------- delegations


class DelegationMemberInline(CheckedIdsMixin, admin.TabularInline):
    formset = OrderedInlineFormSet
    model = DelegationMember
    extra = 0
    fields = ("order", "person", "role", "role_ko", "organization")
    autocomplete_fields = ("person", "organization")


class ItineraryStopInline(CheckedIdsMixin, admin.TabularInline):
    formset = OrderedInlineFormSet
    model = ItineraryStop
    extra = 0
    fields = ("order", "city", "arrive_on", "depart_on", "purpose_en", "purpose_ko")
    autocomplete_fields = ("city",)


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
    list_display = ("name_en", "kind", "start_on", "end_on", "organizer", "stops", "publication")
    list_filter = ("publication", "kind")
    list_select_related = ("organizer",)
    search_fields = ("name_en", "name_ko", "purpose_en", "purpose_ko", "slug")
    autocomplete_fields = ("organizer", "leader", "travelled_with", "sources")
    date_hierarchy = "start_on"
    inlines = [DelegationMemberInline, ItineraryStopInline, OutcomeInline]
    prepopulated_fields = {"slug": ("name_en",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(stop_count=Count("itinerary"))

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
