"""The partnerships' admin: the list (last activity and dormant relations, partner country and
region), their stages and claims inline, “Record a new partnership” (:mod:`registry.guided_entry`)
and the six actions (Sign, Upgrade, Suspend, Resume, Renew, End), each asking for the date, its
precision, the reason and the sources on an intermediate page (:class:`PartnershipActionForm`)
before it runs its service on each selected partnership (imported by :mod:`registry.admin`,
which registers it).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from . import guided_entry, resources, services
from .admin_base import (
    TIMESTAMPS,
    ClaimInline,
    PartialDatesModelForm,
    RegistryAdmin,
    list_cell,
    list_date,
)
from .admin_dates import PartialDateFormField, PartialDatesFormMixin, PrecisionFormField, clean_partial_date
from .admin_filters import DormantFilter, PartnerCountryFilter, RegionListFilter
from .admin_ids import CheckedIdsMixin
from .admin_imports import SpreadsheetMixin
from .guided_entry import admin_link
from .models import (
    Agreement,
    Event,
    Partnership,
    PartnershipStage,
    Publication,
    Source,
    home_city,
    may_change,
)
from .models.text_rules import validate_reason
from .text import given_reason


class PartnershipActionForm(forms.Form):
    """The intermediate form of the partnership actions (Sign, Upgrade, Suspend, Resume, Renew, End):
    the date with its precision, the reason in English, in Korean or both (one of them required)
    and the sources the stage cites.

    The date is written to its precision as the API's ``on`` takes it, as every partial date of
    the admin is (:class:`~registry.admin_dates.PartialDateFormField`): ``2024``, ``2024-06`` or
    ``2024-06-30``, read as the first day of that year or month. A date coarser than the chosen
    precision (``2024`` with ``day``) is an error on ``on`` (code ``date_coarser_than_precision``,
    :func:`~registry.admin_dates.clean_partial_date`); a finer one is cut to the precision.
    ``cleaned_data["on"]`` is the date."""

    on = PartialDateFormField(
        label=_("Date"),
        help_text=_(
            "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024, 2024-06 or 2024-06-30), written at least to the "
            "precision chosen below: a year or a month stands for its first day."
        ),
    )
    precision = PrecisionFormField(label=_("Precision of the date"))
    reason = forms.CharField(
        label=_("Reason (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[validate_reason],
        required=False,
        help_text=_("This one, the Korean one or both: at least one of the two."),
    )
    reason_ko = forms.CharField(
        label=_("Reason (Korean)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[validate_reason],
        required=False,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("title", "id"),
        required=False,
        widget=FilteredSelectMultiple(_("Sources"), is_stacked=False),
    )

    def clean(self):
        """The date to its precision, and a reason in English, in Korean or both: neither is an
        error under both fields naming them (code ``required``), so a Korean manager need not type
        English (helper-97)."""
        cleaned = super().clean()
        clean_partial_date(self, "on", "precision")
        if {"reason", "reason_ko"} <= set(cleaned) and not (
            given_reason(cleaned["reason"]) or given_reason(cleaned["reason_ko"])
        ):
            message = _("Give the reason in English, in Korean or both: “%(english)s” or “%(korean)s”.")
            params = {"english": self.fields["reason"].label, "korean": self.fields["reason_ko"].label}
            for name in ("reason", "reason_ko"):
                self.add_error(name, ValidationError(message, code="required", params=params))
        return cleaned

    def add_refusal(self, error: ValidationError) -> None:
        """Show an action's refusal (the service's ``ValidationError``) on the form: an error keyed
        by one of the form's fields (``on``, ``precision``, ``reason`` …) under that field, any
        other (``status`` and the partnership's other fields, rules about its state) above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


# The list's action ``<name>_partnerships`` → (the service, :data:`services.PARTNERSHIP_ACTIONS`
# ``[name]``; the verb on its page and in its message).
VERBS = {
    "sign": _("Sign"),
    "upgrade": _("Upgrade to sister city"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
    "renew": _("Renew"),
    "end": _("End"),
}
PARTNERSHIP_ACTIONS = {
    f"{name}_partnerships": (service, VERBS[name]) for name, service in services.PARTNERSHIP_ACTIONS.items()
}


class PartnershipStageForm(PartialDatesFormMixin, forms.ModelForm):
    """A row of the stages inline: a new row offers only the kinds without an action of their own
    (letter of intent, council approval); a stage an action recorded shows its kind, date and
    precision as recorded (:attr:`PartnershipStage.RECORDED_FIELDS`, not editable). The model's
    ``clean()`` refuses the same (:meth:`PartnershipStage.refuse_direct_edit`) for any other writer.
    The date is typed to its precision as on the partnership's form (:class:`PartialDatesFormMixin`)."""

    partial_dates = {"on": "precision"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.recorded_by_action:
            for name in PartnershipStage.RECORDED_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
            if "on" in self.fields:  # a fixed date: no calendar or “Today” beside it
                self.fields["on"].widget = forms.DateInput(attrs={"size": 10})
        elif "kind" in self.fields:
            self.fields["kind"].choices = [
                (value, label) for value, label in self.fields["kind"].choices if value not in PartnershipStage.ACTIONS
            ]

    @property
    def recorded_by_action(self) -> bool:
        """Whether this row is a stored stage of a kind an action records (:attr:`PartnershipStage.ACTIONS`)."""
        return self.instance.pk is not None and self.instance.kind in PartnershipStage.ACTIONS


class PartnershipStageFormSet(forms.BaseInlineFormSet):
    """The stages inline's rows: a stage an action recorded is not deleted here (its “Delete” box
    is disabled, so a submitted one is ignored): the partnership's status and dates rest on it,
    and it goes only with the partnership."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields and getattr(form, "recorded_by_action", False):
            form.fields["DELETE"].disabled = True


class PartnershipStageInline(CheckedIdsMixin, admin.TabularInline):
    """Stages without an action of their own (letter of intent, council approval) are added here;
    signed, upgraded, renewed, suspended, resumed and ended come from the actions, and their rows
    here keep the kind, date and precision the action recorded (:class:`PartnershipStageForm`)."""

    model = PartnershipStage
    form = PartnershipStageForm
    formset = PartnershipStageFormSet
    extra = 0
    fields = ("kind", "on", "precision", "reference", "note_en", "note_ko", "sources")
    autocomplete_fields = ("sources",)


class PartnershipAdminForm(PartialDatesModelForm):
    """The partnership's add and change form: its start and end typed to their precision
    (``1989`` with ``year``, ``1989-10`` with ``month`` or a full date), as the API and imports take them."""

    partial_dates = {"established_on": "established_precision", "ended_on": "ended_precision"}


@admin.register(Partnership)
class PartnershipAdmin(SpreadsheetMixin, RegistryAdmin):
    resource_classes = [resources.PartnershipResource]
    form = PartnershipAdminForm
    inlines = [PartnershipStageInline, ClaimInline]
    # Fits a 1,280 px window beside the menu and the filters (static/css/admin_lists.css): the
    # partner's country under the partner city, the end under the status, the dates as staff type
    # them; the confidence is on the form and in "By confidence". Ten columns took 928 px where the
    # table had 630.
    list_display = (
        "partner_display",
        "city_display",
        "kind",
        "status_display",
        "publication",
        "established_display",
        "last_activity_display",
    )
    list_filter = (
        "publication",
        "kind",
        "status",
        "confidence",
        DormantFilter,
        PartnerCountryFilter,
        RegionListFilter,
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
    actions = [*RegistryAdmin.actions, *PARTNERSHIP_ACTIONS]
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

    @staticmethod
    def shown_sides(obj) -> tuple:
        """``(partner, home side)`` as the list shows them, as the filters read the relation: the
        city on the other side from the home city first (:attr:`Partnership.sides_from_home`;
        both cities are selected with the rows)."""
        home_side, partner_side = obj.sides_from_home
        return partner_side, home_side

    @admin.display(description=_("partner city"), ordering="partner__name_en")
    def partner_display(self, obj):
        """The partner city with its country under it."""
        return list_cell(self.shown_sides(obj)[0], self.partner_country(obj))

    @admin.display(description=_("city"), ordering="city__name_en")
    def city_display(self, obj):
        return self.shown_sides(obj)[1]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.published_now = "publication" in form.changed_data and obj.publication == Publication.PUBLISHED

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self.warn_drafts_left(request, obj)  # after Django's "added" message
        self.note_home_as_partner(request, obj)
        return response

    def note_home_as_partner(self, request, obj) -> None:
        """After adding ``obj`` with the home city as its partner city (sides are stored as
        given), say so and how its pages name it (:attr:`Partnership.sides_from_home`): the form
        took "Darkhan (city) – Busan (partner city)" without a word (new-user probe). No query."""
        home, partner = obj.sides_from_home
        if home.pk == obj.city_id:
            return
        message = _(
            "%(home)s, the home city, is recorded as the partner city of this partnership. Its pages name it "
            "from the home side (%(home)s – %(partner)s) and count %(partner)s as the partner; nothing else "
            "needs changing."
        )
        self.message_user(request, message % {"home": home, "partner": partner}, messages.INFO)

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self.warn_drafts_left(request, obj)  # after Django's "changed" message
        return response

    def after_publishing(self, request, records: list) -> None:
        """The list's "Publish the selected drafts" names, for each partnership it published,
        its agreements and events still drafts, as a save that publishes one does."""
        for obj in records:
            obj.published_now = True
            self.warn_drafts_left(request, obj)

    def warn_drafts_left(self, request, obj) -> None:
        """After a save that published ``obj``, name (with a link to each) its agreements and
        events still drafts: the public sees the relation without them until they are published
        too (one query for each kind; nothing when the save did not publish)."""
        if not obj.__dict__.pop("published_now", False):
            return
        drafts = [
            *Agreement.objects.filter(partnership=obj).exclude(publication=Publication.PUBLISHED),
            *Event.objects.filter(partnership=obj).exclude(publication=Publication.PUBLISHED),
        ]
        if not drafts:
            return
        # Each named with its kind: an agreement and its signing share a title.
        links = format_html_join(", ", "{} {}", ((d._meta.verbose_name, admin_link(d, str(d))) for d in drafts))
        message = ngettext(
            "This partnership is published, but %(n)d of its records is still a draft, which the public "
            "does not see until it is published too: %(records)s.",
            "This partnership is published, but %(n)d of its records are still drafts, which the public "
            "does not see until they are published too: %(records)s.",
            len(drafts),
        )
        shown = conditional_escape(message) % {"n": len(drafts), "records": links}
        self.message_user(request, mark_safe(shown), messages.WARNING)  # the message escaped, the links built safe

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
        return list_cell(list_date(obj.last_activity), _("dormant") if obj.dormant else None)

    def get_readonly_fields(self, request, obj=None):
        """Once recorded, the status and end move only through the actions (they add the stages);
        the Korean text of the reason stays editable (a translation changes no status)."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            fields = (*fields, "status", "ended_on", "ended_precision", "status_reason")
        return fields

    def run_action(self, request, queryset, name: str):
        """Ask for the date, precision, reason and sources, then run the action's service on
        each selected partnership, each in its own transaction.

        One partnership selected: a refusal (the service's ``ValidationError``) shows the form
        again with what was typed and chosen, the error under the field it names or above the
        form (:meth:`PartnershipActionForm.add_refusal`). Several selected: some may have been
        done, so the change list comes back with the count of those done and one message per
        refusal, naming its partnership."""
        service, verb = PARTNERSHIP_ACTIONS[name]
        form = PartnershipActionForm(request.POST if "apply" in request.POST else None)
        partnerships = list(queryset.select_related("city", "partner"))
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for partnership in partnerships:
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
                        on=form.cleaned_data["on"],
                    )
                    done += 1
                except ValidationError as error:
                    if len(partnerships) > 1:
                        refused.append(f"{partnership}: {'; '.join(error.messages)}")
                    else:
                        form.add_refusal(error)  # the form, with the refusal, is shown again below
            if not form.errors:
                if done:
                    done_message = ngettext("%(action)s: %(n)d partnership.", "%(action)s: %(n)d partnerships.", done)
                    self.message_user(request, done_message % {"action": verb, "n": done}, messages.SUCCESS)
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
            "queryset": partnerships,
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

    def partner_country(self, obj):
        """The partner city's country, in the reader's language (shown under the partner city)."""
        return self.shown_sides(obj)[0].country.name

    @admin.display(description=pgettext_lazy("change list column", "signed"), ordering="established_on")
    def established_display(self, obj):
        """As staff type it (``1989``, ``1989-10`` or ``1989-10-23``): one line in a narrow column."""
        return list_date(obj.established_on, obj.established_precision) or _("not signed")

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        """The status, with the end under it of a relation that ended."""
        return list_cell(obj.get_status_display(), list_date(obj.ended_on, obj.ended_precision))
