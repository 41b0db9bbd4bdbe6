"""``/feed.atom`` (and ``/ko/feed.atom``): an Atom feed (RFC 4287, django.contrib.syndication) of
the latest published partnerships, agreements and events, newest change first.

What anyone may read (the models' ``public()``), whoever asks; titles and summaries in the
feed's language. Each entry's ``updated`` is the record's ``updated_at`` (publishing a draft
updates it), its id the record's page URL.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .dates import partial_date
from .models import Agreement, Event, Partnership

PER_KIND = 20  # newest entries of each kind (partnerships, agreements, events) in the feed


class RegistryFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("City Diplomacy Registry: new partnerships, agreements and events")

    def subtitle(self):
        return _("Published partnerships, agreements and events, newest change first.")

    def link(self):
        return reverse("registry:home")

    def items(self):
        partnerships = Partnership.objects.public().select_related("city", "partner").order_by("-updated_at", "-pk")
        agreements = Agreement.objects.public().order_by("-updated_at", "-pk")
        events = Event.objects.public().order_by("-updated_at", "-pk")
        rows = [*partnerships[:PER_KIND], *agreements[:PER_KIND], *events[:PER_KIND]]
        return sorted(rows, key=lambda row: row.updated_at, reverse=True)

    def item_title(self, item):
        if isinstance(item, Partnership):
            return str(item)
        return item.title

    def item_description(self, item):
        if isinstance(item, Partnership):
            if item.established_on is None:
                return _("%(kind)s: letter of intent, not signed.") % {"kind": item.get_kind_display()}
            return _("%(kind)s, established %(date)s.") % {
                "kind": item.get_kind_display(),
                "date": partial_date(item.established_on, item.established_precision),
            }
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at
