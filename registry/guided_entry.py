"""“Record a new partnership”: one admin page for a new relation (partner city, partnership,
agreement and signatories, signing ceremony, source), saved all or nothing by
:func:`registry.services.record_new_partnership`.

Mounted by :class:`registry.admin_partnerships.PartnershipAdmin` at ``/admin/registry/partnership/record-new/``
for users who may add every record it writes (``WRITES``). The partner city is picked (the admin's
autocomplete) or typed; a typed one is checked for a city of the same folded name in the same
country (:meth:`CityQuerySet.named`) and saved only once the user confirms. Each signatory is a
person picked (autocomplete) or typed (a new Person), and/or the role the source names.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import services
from .admin_dates import PARTIAL_DATE_HELP, PartialDateFormField, PrecisionFormField, clean_partial_date
from .admin_ids import CheckedAutocompleteSelect
from .models import (
    Agreement,
    City,
    Partnership,
    Person,
    Publication,
    Signatory,
    Source,
    home_city,
    may_change,
)
from .models.offices import refusal
from .text import ASSUMED_URL_SCHEME

SIGNATORIES = 2
# The models the page may add rows to; the user needs the add permission of each.
WRITES = ("partnership", "agreement", "signatory", "person", "event", "city", "source")
# The fields of each signatory, ``signatory<n>_<name>``: a person picked or a new one's names, and the role.
SIGNATORY_FIELDS = ("person", "name_en", "name_ko", "role", "role_ko")
NEW_PERSON_FIELDS = ("name_en", "name_ko")


def signatory_fields(index: int) -> dict[str, forms.Field]:
    """The form fields of signatory ``index`` (1-based), made from the model fields (their
    lengths), all optional: a signatory is recorded when any of them is filled."""
    fields = (
        (
            "person",
            Signatory,
            _("Signatory %(n)s: person"),
            _(
                "Pick a person already recorded, or give a new person's name below; "
                "leave both empty when the source names only the role."
            ),
        ),
        ("name_en", Person, _("Signatory %(n)s: new person's name (English)"), _("Romanized name as in the source.")),
        ("name_ko", Person, _("Signatory %(n)s: new person's name (Korean)"), ""),
        (
            "role",
            Signatory,
            _("Signatory %(n)s: title or role (English)"),
            _("e.g. “Mayor of Busan”, as the source names it."),
        ),
        ("role_ko", Signatory, _("Signatory %(n)s: title or role (Korean)"), ""),
    )
    return {
        f"signatory{index}_{name}": model._meta.get_field(name).formfield(
            required=False, label=label % {"n": index}, help_text=help_text
        )
        for name, model, label, help_text in fields
    }


def admin_link(record, label: str) -> SafeString:
    """``label`` linked to ``record``'s admin change page (Django's ``admin_urlname``), escaped."""
    return format_html('<a href="{}">{}</a>', reverse(admin_urlname(record._meta, "change"), args=[record.pk]), label)


def possible_duplicate(same: list[tuple], found: str, advice: str) -> ValidationError:
    """The possible-duplicate error (code ``possible_duplicate``): ``found``, each record of
    ``same`` (``(record, label)``) linked to its admin page (:func:`admin_link`), then ``advice``.
    The one wording of the city form's and the guided entry's warnings."""
    links = format_html_join(", ", "{}", ((admin_link(record, label),) for record, label in same))
    return ValidationError(format_html("{} {}. {}", found, links, advice), code="possible_duplicate")


def coordinate_field(name: str, label: str) -> forms.DecimalField:
    """The form field of the city's coordinate ``name`` with the range of the model's validators
    (``MinValueValidator``/``MaxValueValidator``), so it is checked with the form's other errors
    and the browser's number box knows it: a latitude of 95 came back only after a first round
    of errors (new-user probe)."""
    field = City._meta.get_field(name)
    limits = {type(v): v.limit_value for v in field.validators if isinstance(v, MinValueValidator | MaxValueValidator)}
    return field.formfield(
        label=label, required=False, min_value=limits[MinValueValidator], max_value=limits[MaxValueValidator]
    )


class GuidedPartnershipForm(forms.Form):
    """The fields of the guided entry; the models validate (through the service), this form only
    parses and asks which partner city and source are meant."""

    partner = forms.ModelChoiceField(
        City.objects.all(),
        required=False,
        label=_("Partner city"),
        help_text=_("Pick an existing city, or leave empty and fill in the new city below."),
    )
    partner_name_en = forms.CharField(label=_("New city: name (English)"), required=False, max_length=200)
    partner_name_ko = forms.CharField(label=_("New city: name (Korean)"), required=False, max_length=200)
    partner_country = forms.ChoiceField(
        # A callable: the names in the page's language (the list was made once, in English).
        label=_("New city: country"),
        required=False,
        choices=lambda: [("", "---------"), *countries],
    )
    partner_latitude = coordinate_field("latitude", _("New city: latitude"))
    partner_longitude = coordinate_field("longitude", _("New city: longitude"))
    save_anyway = forms.BooleanField(
        label=_("Save anyway: each name above is a different city or person"), required=False, widget=forms.HiddenInput
    )
    partnership_kind = forms.ChoiceField(label=_("Kind"), choices=Partnership.Kind.choices)
    partnership_established_on = PartialDateFormField(label=_("Established (signed) on"), help_text=PARTIAL_DATE_HELP)
    partnership_established_precision = PrecisionFormField(label=_("Precision of the date"))
    agreement_title_en = forms.CharField(label=_("Agreement: title (English)"), max_length=300)
    agreement_title_ko = forms.CharField(label=_("Agreement: title (Korean)"), max_length=300, required=False)
    agreement_kind = forms.ChoiceField(
        label=_("Agreement: kind"),
        choices=[("", _("As the partnership: a sister city or friendship city agreement")), *Agreement.Kind.choices],
        required=False,
    )
    agreement_venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    agreement_venue_ko = forms.CharField(label=_("Venue (Korean)"), max_length=300, required=False)
    agreement_signed_in = forms.ChoiceField(
        label=_("Signed in"),
        choices=[("partner", _("the partner city")), ("home", _("the home city"))],
        initial="partner",
        required=False,  # none chosen: the partner city, as before the choice was offered
        widget=forms.RadioSelect,
        help_text=_("The agreement's place and the signing ceremony's city."),
    )
    signing_event = forms.BooleanField(label=_("Record the signing ceremony as an event"), required=False, initial=True)
    source = forms.ModelChoiceField(Source.objects.all(), required=False, label=_("Source"))
    source_title = forms.CharField(label=_("New source: title"), max_length=500, required=False)
    source_url = forms.URLField(
        label=_("New source: URL"), max_length=1000, required=False, assume_scheme=ASSUMED_URL_SCHEME
    )
    source_publisher = forms.CharField(label=_("New source: publisher"), max_length=300, required=False)
    publication = forms.ChoiceField(label=_("Publication"), choices=Publication.choices, initial=Publication.DRAFT)

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.warned: dict[str, object] = {}  # field → its clean value, held back by a duplicate warning
        signatories = {}
        for index in range(1, SIGNATORIES + 1):
            signatories.update(signatory_fields(index))
        # The signatories belong with their agreement.
        names = list(self.fields)
        at = names.index("agreement_signed_in") + 1
        self.fields.update(signatories)
        self.order_fields([*names[:at], *signatories, *names[at:]])
        if admin_site is not None:
            autocompleted = [("partner", Partnership, "partner"), ("source", Partnership, "sources")]
            autocompleted += [(f"signatory{index}_person", Signatory, "person") for index in range(1, SIGNATORIES + 1)]
            for name, model, model_field in autocompleted:
                field = self.fields[name]
                field.widget = CheckedAutocompleteSelect(model._meta.get_field(model_field), admin_site)
                field.widget.choices = field.choices

    def fieldsets(self) -> list[tuple[str, dict]]:
        """The page's sections as a ModelAdmin's ``fieldsets`` (for :class:`helpers.AdminForm`):
        partner city, partnership, agreement, each signatory, signing ceremony, source, publication."""
        signatories = [
            (
                _("Signatory %(n)s") % {"n": index},
                {
                    "fields": [
                        f"signatory{index}_person",
                        (f"signatory{index}_name_en", f"signatory{index}_name_ko"),
                        (f"signatory{index}_role", f"signatory{index}_role_ko"),
                    ],
                    "description": _("The person who signed, picked or new, and the title the source gives."),
                },
            )
            for index in range(1, SIGNATORIES + 1)
        ]
        return [
            (
                _("Partner city"),
                {
                    "fields": [
                        "partner",
                        ("partner_name_en", "partner_name_ko"),
                        "partner_country",
                        ("partner_latitude", "partner_longitude"),
                        "save_anyway",
                    ]
                },
            ),
            (
                _("Partnership"),
                {"fields": ["partnership_kind", ("partnership_established_on", "partnership_established_precision")]},
            ),
            (
                _("Agreement"),
                {
                    "fields": [
                        ("agreement_title_en", "agreement_title_ko"),
                        "agreement_kind",
                        ("agreement_venue", "agreement_venue_ko"),
                        "agreement_signed_in",
                    ]
                },
            ),
            *signatories,
            (_("Signing ceremony"), {"fields": ["signing_event"]}),
            (_("Source"), {"fields": ["source", "source_title", "source_url", "source_publisher"]}),
            (_("Publication"), {"fields": ["publication"]}),
        ]

    def clean(self):
        cleaned = super().clean()
        clean_partial_date(self, "partnership_established_on", "partnership_established_precision")
        if not cleaned.get("agreement_kind") and cleaned.get("partnership_kind"):
            # Left so, the agreement that makes the partnership: one of a friendship city was
            # refused, the list's first kind (sister city agreement) not belonging to it.
            cleaned["agreement_kind"] = Agreement.kind_for_partnership(cleaned["partnership_kind"])
        if cleaned.get("partner") is None:
            if not cleaned.get("partner_name_en") or not cleaned.get("partner_country"):
                self.add_error("partner", _("Pick a partner city or give a new city's English name and country."))
            elif not cleaned.get("save_anyway"):
                same = City.objects.named(cleaned["partner_name_en"], cleaned["partner_country"])[:5]
                self.warn_duplicates(
                    "partner_name_en",
                    [(city, city.name_and_country) for city in same],
                    _("A city with this name already exists in this country:"),
                    _("Pick it above, or tick “Save anyway” to record a different city."),
                )
        if cleaned.get("source") is None and not cleaned.get("source_title"):
            self.add_error("source", _("Pick the source or give a new source's title."))
        for index in range(1, SIGNATORIES + 1):
            if cleaned.get(f"signatory{index}_person") and any(
                cleaned.get(f"signatory{index}_{name}") for name in NEW_PERSON_FIELDS
            ):
                self.add_error(f"signatory{index}_name_en", _("Pick a person or give a new person's name, not both."))
            elif not cleaned.get(f"signatory{index}_person") and not cleaned.get("save_anyway"):
                names = [cleaned.get(f"signatory{index}_{name}") or "" for name in NEW_PERSON_FIELDS]
                same = Person.objects.named(*names)[:5] if any(names) else []
                self.warn_duplicates(
                    f"signatory{index}_name_en",
                    [(person, person.name) for person in same],
                    _("A person with this name is already recorded:"),
                    _("Pick them above, or tick “Save anyway” to record another person."),
                )
        return cleaned

    def warn_duplicates(self, field: str, same: list[tuple], found: str, advice: str) -> None:
        """The possible-duplicate error on ``field`` (code ``possible_duplicate``) naming each record
        of ``same`` (``(record, label)``, linked to its admin page), with "Save anyway" shown; none
        when ``same`` is empty."""
        if not same:
            return
        self.fields["save_anyway"].widget = forms.CheckboxInput()
        self.warned[field] = self.cleaned_data.get(field)  # add_error drops it from cleaned_data
        self.add_error(field, possible_duplicate(same, found, advice))

    def only_warned(self) -> bool:
        """Whether the form's only errors are possible duplicates (:meth:`warn_duplicates`), which
        “Save anyway” answers: its other fields are clean, so the records can be checked too."""
        return bool(self.warned) and all(
            error.code == "possible_duplicate" for errors in self.errors.as_data().values() for error in errors
        )

    def signatories(self) -> list[dict]:
        """The filled signatories as :func:`services.record_new_partnership` takes them: each with
        its ``order`` (its number on the form), ``person``, ``role``, ``role_ko`` and, for a new
        person, ``new_person`` (``name_en``, ``name_ko``)."""
        rows = []
        for index in range(1, SIGNATORIES + 1):
            values = {name: self.cleaned_data.get(f"signatory{index}_{name}") for name in SIGNATORY_FIELDS}
            if not any(values.values()):
                continue
            row = {"order": index, "person": values["person"], "role": values["role"], "role_ko": values["role_ko"]}
            new_person = {name: values[name] for name in NEW_PERSON_FIELDS if values[name]}
            if new_person:
                row["new_person"] = new_person
            rows.append(row)
        return rows

    def save(self, *, home: City, check_only: bool = False) -> Partnership | None:
        """Record everything through :func:`services.record_new_partnership` (with
        ``check_only``, only check each record, writing nothing: the values a duplicate warning
        held back are checked too); its ``ValidationError`` is put on the fields it names (or on
        the form) by :meth:`add_service_errors`."""
        data = {**self.cleaned_data, **self.warned} if check_only else self.cleaned_data
        new_partner = {
            name: data[f"partner_{name}"]
            for name in ("name_en", "name_ko", "country", "latitude", "longitude")
            if data.get(f"partner_{name}") not in (None, "")
        }
        return services.record_new_partnership(
            home=home,
            partner=data["partner"],
            new_partner=new_partner,
            kind=data["partnership_kind"],
            established_on=data["partnership_established_on"],
            established_precision=data["partnership_established_precision"],
            agreement={
                "title_en": data["agreement_title_en"],
                "title_ko": data["agreement_title_ko"],
                "kind": data["agreement_kind"],
                "venue": data["agreement_venue"],
                "venue_ko": data["agreement_venue_ko"],
            },
            signatories=self.signatories(),
            signed_in_home=data["agreement_signed_in"] == "home",
            signing_event=data["signing_event"],
            source=data["source"],
            new_source={
                name: data[f"source_{name}"] for name in ("title", "url", "publisher") if data.get(f"source_{name}")
            },
            publication=data["publication"],
            check_only=check_only,
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's errors on the matching fields (``partnership_established_on``, …);
        errors on fields this form has not (e.g. a city's slug) go on the form."""
        for name, errors in error.update_error_dict({}).items():
            field = name if name in self.fields else None
            if field is None and name.startswith("partnership_partner"):
                field = "partner"
            for message in ValidationError(errors).messages:  # texts: an error printed as "['…']" before
                self.add_error(field, f"{name}: {message}" if field is None else message)


def may_record(user) -> bool:
    """Whether ``user`` may use the guided entry: the add permission of every model it writes
    (:data:`WRITES`). The admin index shows its link only then."""
    return all(user.has_perm(f"registry.add_{name}") for name in WRITES)


def record_new_partnership_view(model_admin: admin.ModelAdmin, request):
    """GET: the empty form (home city named); POST: save all or nothing, then go to the new
    partnership's change page. ``PermissionDenied`` (403) unless :func:`may_record`."""
    user = request.user
    if not may_record(user):
        raise PermissionDenied
    home = home_city()
    form = GuidedPartnershipForm(request.POST or None, admin_site=model_admin.admin_site)
    if request.method == "POST" and home is not None and not form.is_valid() and form.only_warned():
        # A possible duplicate stopped the form: the records' own errors come in the same round
        # (a future date came back only once “Save anyway” was ticked; helper-92).
        try:
            form.save(home=home, check_only=True)
        except ValidationError as error:
            form.add_service_errors(error)
    elif request.method == "POST" and home is not None and form.is_valid():
        # An office records only its own cities' partnerships, as on the add form and in the API.
        if not may_change(user, Partnership(city=home, partner=form.cleaned_data["partner"])):
            form.add_error(None, refusal(user))
            return render(model_admin, request, form, home)
        try:
            partnership = form.save(home=home)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            recorded = _("Recorded %(partnership)s.") % {"partnership": partnership}
            if partnership.publication != Publication.PUBLISHED:
                recorded = _(
                    "Recorded %(partnership)s as a draft, with its agreement and signing: the public sees them "
                    "once each is published."
                ) % {"partnership": partnership}
            model_admin.message_user(request, recorded, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:registry_partnership_change", args=[partnership.pk]))
    return render(model_admin, request, form, home)


def render(model_admin: admin.ModelAdmin, request, form: GuidedPartnershipForm, home: City | None):
    """The page with ``form`` (its errors shown)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Record a new partnership"),
        "form": form,
        "adminform": helpers.AdminForm(form, form.fieldsets(), {}),
        "home": home,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/registry/record_new_partnership.html", context)
