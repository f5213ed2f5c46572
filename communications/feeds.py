"""Atom feeds of releases: all, and per recipient country."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from communications.models import PublicRecord

FEED_SIZE = 50


class ReleasesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Communications on human rights defenders: releases")
    subtitle = _("Letters of the Special Rapporteur on human rights defenders, as they become public.")
    link = "/communications/"

    def get_object(self, request, recipient: str | None = None):
        return recipient.upper() if recipient else None

    def items(self, recipient):
        records = PublicRecord.objects.order_by("-released_on", "-id")
        if recipient:
            records = records.filter(recipient=recipient)
        return records[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.reference}: {item.recipient_name}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return f"/communications/{item.slug}/"

    def item_pubdate(self, item):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.released_on, time()))

    def item_updateddate(self, item):
        return item.updated_at
