"""Atom feeds of releases: all, and per recipient country."""

import re

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from communications.models import PublicRecord

FEED_SIZE = 50
# Characters XML 1.0 cannot carry: one in a summary (a vertical tab, Word's line break) broke the whole feed.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return NOT_IN_XML.sub(" ", text)


class ReleasesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Communications on human rights defenders: releases")
    subtitle = _("Letters of the Special Rapporteur on human rights defenders, as they become public.")
    link = "/communications/"

    def get_object(self, request, recipient: str | None = None):
        if recipient is None:
            return None
        if not re.fullmatch(r"[A-Za-z]{3}", recipient):
            raise Http404("no such recipient code")
        return recipient.upper()

    def items(self, recipient):
        records = PublicRecord.objects.order_by("-released_on", "-id")
        if recipient:
            records = records.filter(recipient=recipient)
        return records[:FEED_SIZE]

    def item_title(self, item):
        return _xml_text(f"{item.reference}: {item.recipient_name}")

    def item_description(self, item):
        # Atom1Feed marks the summary type="html", and readers render it as HTML; the summary is plain text.
        return escape(_xml_text(item.summary))

    def item_link(self, item):
        return f"/communications/{item.slug}/"

    def item_pubdate(self, item):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.released_on, time()))

    def item_updateddate(self, item):
        return item.updated_at
