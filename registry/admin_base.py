"""The shared base of the registry's admin (:mod:`registry.admin`, :mod:`registry.admin_partnerships`,
:mod:`registry.guided_entry`):
the form that refuses to save over someone else's version and asks the reason for a change,
the model forms whose partial dates are typed to their precision (:mod:`registry.admin_dates`),
the history page's "Changes" column in the change form's words (:mod:`registry.admin_history`),
the base ``ModelAdmin`` of
every registry model (history, restore, offices' limits), the admin of records that others cite,
the ordered inlines' formset and the claims' inline.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import change_reasons, services
from .admin_dates import PartialDatesFormMixin
from .admin_history import LabelledHistoryHelper
from .admin_ids import CheckedIdsMixin, parse_id
from .concurrency import VersionConflict, check_version, current_version
from .dates import iso_partial, time_label
from .models import Claim, Publication, may_change
from .models.base import HISTORY
from .models.offices import refusal
from .models.search import admin_search
from .models.text_rules import validate_reason
from .text import ASSUMED_URL_SCHEME, given_reason, is_visible

TIMESTAMPS = ("created_at", "updated_at")
#: The page parameter of the deleted records' list (as the admin's lists use ``p``).
DELETED_PAGE_VAR = "p"


def labelled_messages(model: type[models.Model], error: ValidationError) -> list[str]:
    """``error``'s messages as text for a page that shows no form field beside them: each
    prefixed with the verbose name of the field of ``model`` it is about ("Slug: …"; the key
    itself when ``model`` has no such field), those on no field as they are. A list of ``str``."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    found = []
    for name, errors in error.error_dict.items():
        texts = [text for item in errors for text in item.messages]
        if name == NON_FIELD_ERRORS:
            found.extend(texts)
            continue
        try:
            label = capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            label = name
        found.extend(f"{label}: {text}" for text in texts)
    return found


def list_cell(value, detail=None):
    """A change list's cell: ``value`` with ``detail`` under it on a line of its own, quieter
    (``list-detail`` in ``static/css/admin_lists.css``), as a city's sub-region under its country
    or the end of a partnership under its status: one column where two did not fit a 1,280 px
    window. Both escaped; without ``detail``, ``value`` alone."""
    if detail in (None, ""):
        return value
    return format_html('{}<span class="list-detail">{}</span>', value, detail)


def list_date(value, precision: str = "day"):
    """A date in a change list as staff type it (:func:`registry.dates.iso_partial`: ``1989``,
    ``1989-10`` or ``1989-10-23``), on one line (``list-date``: Chromium broke ``1966-06-30`` after
    a hyphen in a narrow column); ``None`` without a date (Django's "-")."""
    text = iso_partial(value, precision)
    return None if text is None else format_html('<span class="list-date">{}</span>', text)


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
        validators=[validate_reason],
        help_text=_("Shown in the history."),
    )
    # What the reason also does on a model with fields that only a correction changes (a partnership).
    CORRECTION_HELP = _(
        "Shown in the history. Required to correct the kind or the established date of a published partnership."
    )

    #: The field a new record's slug is made from when left empty (``"name_en"``), set by
    #: :attr:`RegistryAdmin.slug_from`; ``None``: the slug is typed.
    slug_from: str | None = None
    # The example fits every record made this way (a city, a source's title, an agreement's): "Busan–Almaty"
    # read as a partnership on a city's form (new-user probe).
    MADE_SLUG_HELP = _("Left empty, it is made from the %(field)s: “Ho Chi Minh City” gives ho-chi-minh-city.")

    #: Fields that say how to save, not what: a form changing none of the others changes nothing.
    NOT_RECORD_FIELDS = frozenset({"expected_version", "change_reason", "save_anyway"})

    def changes_nothing(self) -> bool:
        """Whether this form of a stored record (not a revert, whose initial values are the old
        version's) leaves every field as it is: :meth:`RegistryAdmin.save_model` then saves nothing,
        as :func:`registry.services.save_record` does (a "Save" without a change made a new version
        and an empty "Changed" in the history; new-user probe)."""
        if self.instance._state.adding or getattr(self.instance, "_history", None) is not None:
            return False
        return not set(self.changed_data) - self.NOT_RECORD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if hasattr(self._meta.model, "ACTION_FIELDS"):
            self.fields["change_reason"].help_text = self.CORRECTION_HELP
        slug = self.fields.get("slug")
        if self.slug_from in self.fields and slug is not None and not self.instance.pk:
            slug.required = False
            slug.help_text = self.MADE_SLUG_HELP % {"field": self.fields[self.slug_from].label}
        if self.instance.pk:
            self.fields["expected_version"].initial = current_version(self.instance)
        #: On a revert, the verbose names of the fields the page does not let one edit whose value
        #: in the version differs from today's: they keep today's (see :meth:`keep_unshown_fields`).
        self.kept_fields: list[str] = []
        record = getattr(self.instance, "_history", None)
        if record is not None:
            # Reverting to a version of the history: its sources, fields and parties too, not
            # today's (the historical instance's relations would read the current rows).
            for name, pks in services.historic_relations(record).items():
                if name in self.fields:
                    self.initial[name] = pks
            self.keep_unshown_fields()

    def make_slug(self, cleaned: dict) -> None:
        """A new record's slug left empty, made from :attr:`slug_from` by the API's rule
        (:func:`registry.text.slug_of`: ``Busan–Shymkent MoU`` → ``busan-shymkent-mou``; the
        admin's script, which filled it as one typed, dropped the dash and any letter it could
        not spell in ASCII); the model's rule, :meth:`SluggedModel.slug_made_from`, refuses one
        another record holds or a name with nothing to make one of, on ``slug``."""
        if not self.slug_from or self.instance.pk or "slug" not in self.fields or cleaned.get("slug"):
            return
        if "slug" in self.errors or not cleaned.get(self.slug_from):
            return
        try:
            cleaned["slug"] = self._meta.model.slug_made_from(
                cleaned[self.slug_from], self.fields[self.slug_from].label
            )
        except ValidationError as error:
            self.add_error(None, error)

    def keep_unshown_fields(self) -> None:
        """A revert restores what its page lets one edit: a field the form does not show (read-only
        on the change page, e.g. a partnership's status and end, which change only through its
        actions with their stages) keeps its current value instead of the version's, which the
        rules would refuse with nothing on the page to change. Fills :attr:`kept_fields` with
        those whose value differs, for the page's note. The Korean text of a kept field (a
        partnership's ``status_reason_ko``, which the page shows) keeps its current value too, as
        the page's starting value: a revert kept the English reason and put back the version's
        Korean one, which was empty (new-user probe). One query (the stored row)."""
        model = self._meta.model
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if field.editable and not field.primary_key and field.name not in self.fields
        ]
        korean = [f"{name}_ko" for name in names if f"{name}_ko" in self.fields]
        current = model._base_manager.filter(pk=self.instance.pk).values(*names, *korean).first() if names else None
        if current is None:
            return
        for name in names:
            if getattr(self.instance, name) != current[name]:
                self.kept_fields.append(capfirst(model._meta.get_field(name).verbose_name))
                setattr(self.instance, name, current[name])
                if f"{name}_ko" in korean:
                    self.initial[f"{name}_ko"] = current[f"{name}_ko"]

    def _update_errors(self, errors):
        """The model's errors on the form: those on a field the form does not show (a read-only
        one, e.g. a partnership's status once recorded) above the form, naming the field, where
        Django's ``add_error`` raises ``ValueError`` (a 500: reverting a suspended partnership
        to a version where it was active, from its history)."""
        if hasattr(errors, "error_dict"):
            shown, hidden = {}, []
            for name, messages in errors.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    shown[name] = messages
                    continue
                hidden.extend(labelled_messages(type(self.instance), ValidationError({name: messages})))
            if hidden:
                shown.setdefault(NON_FIELD_ERRORS, []).extend(ValidationError(message) for message in hidden)
            errors = ValidationError(shown)
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        self.make_slug(cleaned)
        reason = given_reason(cleaned.get("change_reason"))
        # Read by the model's clean() (a correction needs a reason) and by the history.
        self.instance.correction_reason = reason
        if reason:
            self.instance._change_reason = reason
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is None and "expected_version" not in self.errors:
            # Without it the check was skipped, and a stale page saved over another's change
            # (adversarial probe: an empty expected_version undid an API edit made meanwhile).
            raise forms.ValidationError(
                _(
                    "The page did not say which version of the record it was opened on, so it could "
                    "save over someone else's change: open the record again and make your change there."
                ),
                code="version_missing",
            )
        if self.instance.pk and expected is not None:
            try:
                check_version(self.instance, expected, getattr(self, "reader", None))
            except VersionConflict as conflict:
                raise forms.ValidationError(conflict.message, code="version_conflict") from None
            # Saved as the version after the stored one. A revert's instance is the old version's
            # and carried its number, so the save reused a number already given out and a client
            # holding that version's ETag saved over the revert (new-user probe).
            self.instance.version = expected
            record = getattr(self.instance, "_history", None)
            if record is not None and not reason:
                self.instance._change_reason = change_reasons.written(
                    change_reasons.REVERTED, version=record.version, date=lambda: time_label(record.history_date)
                )
        return cleaned


class PartialDatesModelForm(PartialDatesFormMixin, VersionedModelForm):
    """:class:`VersionedModelForm` whose dates with a precision field (``partial_dates``: date
    field → its precision field) are typed as the API takes them (:class:`PartialDatesFormMixin`):
    the add and change forms of partnerships, agreements and events."""


# A URL typed without its scheme is read with text.ASSUMED_URL_SCHEME (https), in every admin form
# (``ModelAdmin.formfield_overrides``).
URL_FIELDS = {models.URLField: {"assume_scheme": ASSUMED_URL_SCHEME}}


class RegistryAdmin(CheckedIdsMixin, SimpleHistoryAdmin):
    """Shared defaults: timestamps read-only, optimistic locking, history with restore.

    Anyone who may view a record sees its history (who changed what, when, with the
    differences); only holders of ``registry.restore_records`` (Registry managers) may
    revert to an earlier version or restore deleted records.
    """

    form = VersionedModelForm
    readonly_fields = TIMESTAMPS
    save_on_top = True
    #: Offered where the model has a ``publication`` (:meth:`get_actions`).
    actions = ["publish_selected"]
    list_per_page = 100
    formfield_overrides = URL_FIELDS
    change_list_template = "admin/registry/change_list.html"
    object_history_list_template = "admin/registry/object_history_list.html"
    object_history_form_template = "admin/registry/object_history_form.html"

    #: The field a new record's slug is made from when the slug is left empty (``"name_en"``),
    #: as the API's ``slug_from`` does (:meth:`VersionedModelForm.make_slug`); ``None``: typed.
    slug_from: str | None = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.slug_from = self.slug_from
        form.reader = request.user  # named "you" in a version conflict (registry.concurrency)
        return form

    def delete_model(self, request, obj):
        """Delete ``obj`` as every writer does (:func:`registry.services.delete_record`)."""
        services.delete_record(instance=obj)

    def delete_queryset(self, request, queryset):
        """“Delete selected”: as every writer deletes (:func:`registry.services.delete_records`),
        the data generation moved once for all the rows."""
        services.delete_records(queryset=queryset)

    def get_actions(self, request):
        """Django's actions, with :meth:`publish_selected` only for a model with a ``publication``."""
        actions = super().get_actions(request)
        if not any(field.name == "publication" for field in self.model._meta.concrete_fields):
            actions.pop("publish_selected", None)
        return actions

    @admin.action(description=_("Publish the selected drafts"), permissions=["change"])
    def publish_selected(self, request, queryset):
        """Publish each selected draft as its change form would: :func:`services.save_record`
        (every rule of the record checked, a new version, one history record by the user), each in
        its own transaction with its row locked, read again inside it so that a change saved
        meanwhile is kept. A record of another office, or one a rule refuses, is left a draft and
        named with the reason; those already published are counted. Messages only, the list again."""
        published, already, refused = [], 0, []
        for pk in queryset.values_list("pk", flat=True):
            with transaction.atomic(using=router.db_for_write(self.model)):
                record = self.model._base_manager.select_for_update().filter(pk=pk).first()
                if record is None:  # deleted since the list was read: nothing to publish
                    continue
                if record.publication == Publication.PUBLISHED:
                    already += 1
                    continue
                if not may_change(request.user, record):
                    refused.append(f"{record}: {refusal(request.user)}")
                    continue
                try:
                    services.save_record(instance=record, data={"publication": Publication.PUBLISHED})
                except ValidationError as error:
                    refused.append(f"{record}: {' '.join(labelled_messages(self.model, error))}")
                    continue
                published.append(record)
        name, done = self.model._meta, len(published)
        if done:
            message = ngettext("Published %(n)d %(name)s.", "Published %(n)d %(names)s.", done)
            shown = {"n": done, "name": name.verbose_name, "names": name.verbose_name_plural}
            self.message_user(request, message % shown, messages.SUCCESS)
        if already:
            message = ngettext(
                "%(n)d of the selected was published already.", "%(n)d of the selected were published already.", already
            )
            self.message_user(request, message % {"n": already}, messages.INFO)
        for reason in refused:
            self.message_user(request, _("Not published: %(reason)s") % {"reason": reason}, messages.ERROR)
        self.after_publishing(request, published)

    def after_publishing(self, request, records: list) -> None:
        """Called by :meth:`publish_selected` with the records it published (a model's admin may
        say more of them, as the partnerships' names their records still drafts); nothing here."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = [name for _, options in fieldsets for name in options["fields"]]
        missing = [name for name in ("expected_version", "change_reason") if name not in names]
        if missing:
            first, options = fieldsets[0]
            fieldsets = [(first, {**options, "fields": [*options["fields"], *missing]}), *fieldsets[1:]]
        return fieldsets

    def get_search_results(self, request, queryset, search_term):
        """Django's search of ``search_fields``, or the registry's own search of the model
        (``queryset.search``: the words of the public pages' and the API's ``q``, in any script and
        case on both databases, a city by its former names and transliterations), within
        ``queryset`` as the list's filters, the office and the autocomplete left it. Django's
        lookups alone fold the case of ASCII letters only on SQLite, so a model without a search of
        its own (former names) adds its ``search_fields`` compared case-blind in every script
        (:func:`registry.models.search.admin_search`, which the deleted records' list reads too:
        "ürümqi" found the former name "Ürümqi" on PostgreSQL only). A picker (the autocomplete)
        lists the record named what was typed first (``ranked``, cities); a change list keeps the
        sort of its columns."""
        if not is_visible(search_term):  # nothing that shows is no search, as in the public lists
            search_term = ""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term and hasattr(queryset, "search"):
            results |= queryset.search(search_term)
        elif search_term:
            results |= admin_search(queryset, search_term, self.get_search_fields(request))
        picker = getattr(request.resolver_match, "url_name", None) == "autocomplete"
        if picker and search_term and hasattr(results, "ranked"):  # the name typed first; a list keeps its sort
            results = results.ranked(search_term)
        return results, may_have_duplicates

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
        if change and getattr(form, "changes_nothing", lambda: False)():
            # Saved by save_related only if an inline changed: a save without any change makes no
            # new version and no empty "Changed" in the history (VersionedModelForm.changes_nothing).
            obj.save_if_inlines_change = True
            return
        self.one_history_record(obj, form, change)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """As Django's, after saving the record itself when only its inlines changed (a former
        name, a stage, a signatory): the record's version still moves, so a form opened before is
        refused as stale rather than saving the inline's old rows over the change (adversarial
        probe), and its history records the change."""
        obj = form.instance
        if obj.__dict__.pop("save_if_inlines_change", False) and any(f.has_changed() for f in formsets):
            self.one_history_record(obj, form, change)
            super().save_model(request, obj, form, change)
        super().save_related(request, form, formsets, change)

    @staticmethod
    def one_history_record(obj, form, change: bool) -> None:
        """Take the history record of an admin save once, after the many-to-many rows (sources,
        cooperation fields, parties) are set, as :func:`services.save_record` does: the row is
        saved without one, and the form's ``save_m2m`` (which the change page and the history's
        revert both call after :meth:`save_model`) writes it when the rows are in. Without this,
        django-simple-history writes the row's record first ("Created" without its sources, so a
        revert to it cleared them) and then one more for each relation changed."""
        save_m2m = form.save_m2m
        obj.skip_history_when_saving = True

        def save_m2m_then_record():
            try:
                save_m2m()
            finally:
                del obj.skip_history_when_saving
            HISTORY.create_historical_record(obj, "~" if change else "+")

        form.save_m2m = save_m2m_then_record

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
        # In one transaction, as Django's change view is: the version check locks the row
        # (SELECT … FOR UPDATE), which PostgreSQL refuses outside one (every revert was a 500
        # there; adversarial probe), and the record, its links and its history are saved together.
        with transaction.atomic(using=router.db_for_write(self.model)):
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
        """List this model's deleted records, 100 a page (``?p=2``), the latest deletion first, a
        row owned by another (a former name) with its owner (its city), searched as the change
        list is (``?q=``, :func:`registry.services.records.search_history` over this admin's
        ``search_fields``); POST ``restore=<id>`` restores one (managers only)."""
        if not self.has_restore_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            try:
                pk = parse_id(self.model._meta.pk, request.POST.get("restore"))
                if pk is None:
                    raise ValueError(_("“restore” is not an id."))
                restored = services.restore_deleted(model=self.model, pk=pk)
            except (ValueError, LookupError) as error:
                self.message_user(request, _("Not restored: %(error)s") % {"error": error}, messages.ERROR)
            except ValidationError as error:
                reasons = " ".join(labelled_messages(self.model, error))
                self.message_user(request, _("Not restored: %(error)s") % {"error": reasons}, messages.ERROR)
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
        }
        search = request.GET.get(SEARCH_VAR, "")
        if not is_visible(search):  # nothing that shows is no search, as in the change list
            search = ""
        page = services.deleted_records(
            self.model,
            page=request.GET.get(DELETED_PAGE_VAR, 1),
            search=search,
            search_fields=self.get_search_fields(request),
        )
        owner = services.owner_field(self.model)
        context.update(
            records=[(record, self.owner_url(record)) for record in page.object_list],
            owner_name=capfirst(owner.verbose_name) if owner else "",
            search=search,
            search_var=SEARCH_VAR,
            page_query=urlencode({SEARCH_VAR: search}) + "&" if search else "",
            page_obj=page,
            page_var=DELETED_PAGE_VAR,
            pagination_required=page.paginator.num_pages > 1,
            page_range=page.paginator.get_elided_page_range(page.number),
        )
        return TemplateResponse(request, "admin/registry/deleted.html", context)

    def owner_url(self, record: services.DeletedRecord) -> str:
        """The change page of the row that owns a deleted ``record`` (a former name's city), or
        ``""`` when that row is deleted too or has no admin."""
        owner = record.owner
        if owner is None:
            return ""
        try:
            return reverse(f"admin:{owner._meta.app_label}_{owner._meta.model_name}_change", args=[owner.pk])
        except NoReverseMatch:
            return ""


class CitedRecordAdmin(RegistryAdmin):
    """Deleting a source or cooperation field that records still cite is refused, naming them."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            for record in obj.citing_records():
                protected.append(f"{record._meta.verbose_name.capitalize()}: {record}")
        return to_delete, model_count, perms_needed, protected


class OrderedInlineFormSet(forms.BaseInlineFormSet):
    """Rows with an ``order``: a new row may leave it empty and is numbered after the largest
    order of the rows kept (in the order the rows are shown), within the field's bounds
    (:func:`registry.models.base.order_field`), and two rows with the same order are refused
    (the database would, with a 500)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields["order"]
        field.required = False
        field.initial = None
        field.help_text = _("Empty: after the last.")

    def clean(self):
        kept = [  # stored rows and filled new rows, unless marked for deletion
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk is not None or form.has_changed())
        ]
        last = max((form.cleaned_data.get("order") or 0 for form in kept), default=0)
        for form in kept:
            if form.cleaned_data.get("order") is None and "order" not in form.errors:
                last += 1
                form.cleaned_data["order"] = form.instance.order = last
                try:  # the row's own validation ran before it had a number
                    self.model._meta.get_field("order").run_validators(last)
                except ValidationError as error:
                    form.add_error("order", error)
        seen: dict[int, int] = {}
        for number, form in enumerate(self.forms, start=1):
            order = form.cleaned_data.get("order") if form in kept else None
            if order is None:
                continue
            if order in seen:
                form.add_error(
                    "order", _("Row %(row)d already has order %(order)d.") % {"row": seen[order], "order": order}
                )
            seen.setdefault(order, number)
        super().clean()


class ClaimInline(CheckedIdsMixin, admin.TabularInline):
    """The sources of each fact: each value claimed for a fact with its sources (two or more
    values: the sources differ); one value per fact is preferred. Used on partnerships,
    agreements and events."""

    model = Claim
    extra = 0
    fields = ("fact", "value", "preferred", "note_en", "note_ko", "sources")
    autocomplete_fields = ("sources",)
