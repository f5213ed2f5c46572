"""Statistics of released communications, from the public records only, and their SVG charts."""

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear

from communications.models import PublicRecord

CACHE_KEY = "public-stats:v1"
CACHE_SECONDS = 600


def page_cache_key(language: str) -> str:
    """The rendered statistics page in one language (communications.views.statistics)."""
    return f"public-stats-page:v1:{language}"


@dataclass(frozen=True)
class StateRow:
    recipient: str
    name: str
    total: int
    answered: int
    within_60: int
    median_days: float | None

    @property
    def answered_share(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def within_60_share(self) -> float:
        return self.within_60 / self.total if self.total else 0.0


def _by_year() -> list[dict]:
    return list(
        PublicRecord.objects.annotate(year=ExtractYear("sent_on"))
        .values("year", "recipient", "kind")
        .annotate(n=Count("*"))  # not Count("id"): the id is not in the covering index
        .order_by("year", "recipient", "kind")
    )


def _by_state() -> list[StateRow]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT recipient,
                   -- OTH covers every company and armed group: no one name stands for them all.
                   CASE WHEN recipient = 'OTH' THEN '' ELSE min(recipient_name) END,
                   count(*), count(first_reply_on),
                   count(*) FILTER (WHERE first_reply_on - sent_on <= 60),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY first_reply_on - sent_on)
                       FILTER (WHERE first_reply_on IS NOT NULL)
            FROM communications_publicrecord
            GROUP BY recipient
            ORDER BY count(*) DESC, recipient
            """
        )
        return [StateRow(*row) for row in cursor.fetchall()]


def compute() -> dict:
    by_year = _by_year()
    years: dict[int, dict[str, int]] = {}
    for row in by_year:
        counts = years.setdefault(row["year"], {"UA": 0, "AL": 0, "OL": 0})
        counts[row["kind"]] += row["n"]
    return {"by_year": by_year, "years": dict(sorted(years.items())), "states": _by_state()}


def statistics() -> dict:
    """Cached: the archive changes a few times a day, and a release clears the cache."""
    result = cache.get(CACHE_KEY)
    if result is None:
        result = compute()
        cache.set(CACHE_KEY, result, CACHE_SECONDS)
    return result


def refresh() -> None:
    """Work the figures out again and keep them (the worker, after the clock released letters)."""
    cache.set(CACHE_KEY, compute(), CACHE_SECONDS)


def invalidate() -> None:
    cache.delete_many([CACHE_KEY, *(page_cache_key(code) for code, _ in settings.LANGUAGES)])


def bar_chart_svg(*, chart_id: str, title: str, description: str, bars: list[tuple[str, float]], unit: str = "") -> str:
    """A horizontal bar chart as accessible SVG: a title, a description, and a text label per bar."""
    height = 24 * len(bars) + 10
    biggest = max((value for _, value in bars), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(bars):
        y = 5 + index * 24
        width = 300 * value / biggest
        shown = f"{value:g}{unit}"
        rows.append(
            f'<text x="0" y="{y + 15}" class="chart-label">{escape(label)}</text>'
            f'<rect x="140" y="{y}" width="{width:.1f}" height="18" class="chart-bar"/>'
            f'<text x="{146 + width:.1f}" y="{y + 15}" class="chart-value">{escape(shown)}</text>'
        )
    slug = chart_id
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 520 {height}" role="img" '
        f'aria-labelledby="chart-{slug}-title chart-{slug}-desc" class="chart">'
        f'<title id="chart-{slug}-title">{escape(title)}</title>'
        f'<desc id="chart-{slug}-desc">{escape(description)}</desc>' + "".join(rows) + "</svg>"
    )
