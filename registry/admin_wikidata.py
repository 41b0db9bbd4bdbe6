"""The admin of Wikidata proposals: upload a file, accept proposals row by row, and take a
difference as a correction (imported by :mod:`registry.admin`, which registers it).

Accepting records; it does not override: a *new* relation becomes a draft of the kind the manager
chooses (P190 does not say which), a *different* one becomes claims beside the registry's values
(:func:`registry.services.accept_wikidata_proposal`). “Take Wikidata's value as a correction”
(:func:`registry.services.correct_from_wikidata`) is the separate step that changes a partnership,
with the manager's reason; an end goes through the End action.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import services, wikidata
from .admin_base import URL_FIELDS
from .admin_ids import CheckedIdsMixin
from .dates import partial_date
from .forms import WikidataFileForm
from .models import Partnership, WikidataProposal


class WikidataKindForm(forms.Form):
    """The kind a *new* relation from Wikidata is recorded as: the manager's choice, required."""

    kind = forms.ChoiceField(
        label=_("Record the new relations as"),
        choices=Partnership.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Wikidata's “twinned administrative body” (P190) covers sister cities and friendship cities alike "
            "and does not say which: choose the kind the office's sources give. Each new relation is recorded "
            "as a draft of low confidence citing Wikidata, for review before it is published."
        ),
    )


class WikidataCorrectionForm(forms.Form):
    """The manager's reason for taking Wikidata's values into the partnerships (required)."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Why Wikidata's value is right and the registry's was not; kept in the history."),
    )
    reason_ko = forms.CharField(
        label=_("Reason (Korean)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )


@admin.register(WikidataProposal)
class WikidataProposalAdmin(CheckedIdsMixin, admin.ModelAdmin):
    """Proposals from a Wikidata file (``manage.py wikidata import``, or uploaded here: “Upload a
    Wikidata file”), accepted row by row by a manager (``registry.import_records``); each accepted
    fact cites Wikidata. Refusals (the office limit, a proposal already decided) are listed as
    error messages; one refused row does not stop the others."""

    list_display = (
        "city",
        "partner_display",
        "kind",
        "established_display",
        "ended_display",
        "partnership",
        "retrieved_on",
        "status",
    )
    list_filter = ("status", "kind", "retrieved_on")
    list_select_related = ("city", "partner", "partnership__city", "partnership__partner")
    search_fields = ("city__name_en", "partner__name_en", "partner_label", "partner_qid")
    actions = ["accept", "take_as_correction"]
    change_list_template = "admin/registry/wikidataproposal/change_list.html"
    formfield_overrides = URL_FIELDS

    def has_add_permission(self, request):
        return False  # made by the import only

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="registry_wikidataproposal_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """Upload a Wikidata file (:class:`registry.forms.WikidataFileForm`, the command's parser)
        and show its proposals (:func:`registry.wikidata.propose`) in the list, to accept row by row.
        Needs the accept permission (``registry.import_records``); otherwise 403."""
        if not self.has_accept_permission(request):
            raise PermissionDenied
        form = WikidataFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            proposals = wikidata.propose(form.cleaned_data["relations"], retrieved_on=form.cleaned_data["retrieved_on"])
            counts = ", ".join(
                f"{kind.label}: {sum(1 for p in proposals if p.kind == kind)}" for kind in WikidataProposal.Kind
            )
            self.message_user(
                request,
                _("%(name)s: %(count)s proposals (%(counts)s).")
                % {"name": form.cleaned_data["file"].name, "count": len(proposals), "counts": counts},
                messages.SUCCESS,
            )
            changelist = reverse("admin:registry_wikidataproposal_changelist")
            return HttpResponseRedirect(f"{changelist}?status__exact=open")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload a Wikidata file"),
            "form": form,
        }
        return TemplateResponse(request, "admin/registry/wikidata_upload.html", context)

    def has_change_permission(self, request, obj=None):
        return False  # accepted through the actions, never edited

    def has_accept_permission(self, request):
        return request.user.has_perm("registry.import_records")

    @admin.display(description=_("partner city"))
    def partner_display(self, obj):
        return obj.partner or f"{obj.partner_label} ({obj.partner_qid})"

    @admin.display(description=_("start time (P580)"), ordering="established_on")
    def established_display(self, obj):
        return partial_date(obj.established_on, obj.established_precision) or "—"

    @admin.display(description=_("end time (P582)"), ordering="ended_on")
    def ended_display(self, obj):
        return partial_date(obj.ended_on, obj.ended_precision) or "—"

    def _run(self, request, queryset, service, done_message, **arguments):
        """``service(proposal=…, user=…, **arguments)`` on each selected proposal in its own
        transaction; each outcome a message (refusals name the row and the rule)."""
        for proposal in queryset.select_related("city", "partner", "partnership"):
            try:
                service(proposal=proposal, user=request.user, **arguments)
            except ValidationError as error:
                message = _("Not accepted: %(row)s: %(error)s") % {"row": proposal, "error": "; ".join(error.messages)}
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, done_message % {"row": proposal}, messages.SUCCESS)

    def _form_page(self, request, queryset, *, action: str, form, title: str, intro: str, verb: str):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "intro": intro,
            "verb": verb,
            "action": action,
            "form": form,
            "queryset": queryset.select_related("city", "partner"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/registry/wikidata_action.html", context)

    @admin.action(
        description=_("Accept the selected proposals, citing Wikidata (a difference becomes a claim)"),
        permissions=["accept"],
    )
    def accept(self, request, queryset):
        """Accept each selected proposal on its own (:func:`registry.services.accept_wikidata_proposal`).
        When new relations are among them, first ask which kind to record them as."""
        arguments = {}
        if queryset.filter(kind=WikidataProposal.Kind.NEW, status=WikidataProposal.Status.OPEN).exists():
            form = WikidataKindForm(request.POST if "apply" in request.POST else None)
            if not (form.is_bound and form.is_valid()):
                return self._form_page(
                    request,
                    queryset,
                    action="accept",
                    form=form,
                    title=_("Accept Wikidata proposals"),
                    intro=_(
                        "New relations are recorded as drafts of the kind chosen below. A difference is recorded "
                        "as Wikidata's claim beside the registry's value, which stays the one shown."
                    ),
                    verb=_("Accept"),
                )
            arguments["kind"] = form.cleaned_data["kind"]
        self._run(request, queryset, services.accept_wikidata_proposal, _("Accepted: %(row)s"), **arguments)
        return None

    @admin.action(description=_("Take Wikidata's value as a correction (an end through End)"), permissions=["accept"])
    def take_as_correction(self, request, queryset):
        """Ask for the reason, then take each selected difference into its partnership
        (:func:`registry.services.correct_from_wikidata`)."""
        form = WikidataCorrectionForm(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            return self._form_page(
                request,
                queryset,
                action="take_as_correction",
                form=form,
                title=_("Take Wikidata's values as corrections"),
                intro=_(
                    "Wikidata's start replaces the registry's as a correction with this reason (the former date "
                    "stays as a claim with its sources); an end Wikidata states is recorded with the End action, "
                    "a dated stage citing Wikidata. The history keeps the reason."
                ),
                verb=_("Take as a correction"),
            )
        self._run(
            request,
            queryset,
            services.correct_from_wikidata,
            _("Taken as a correction: %(row)s"),
            reason=form.cleaned_data["reason"],
            reason_ko=form.cleaned_data["reason_ko"],
        )
        return None
