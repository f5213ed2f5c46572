from functools import partial

from django.conf import settings
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language


def _on_this_site(path: str) -> str:
    """The path, made unable to leave the site.

    `//evil.example/` (or `/\\evil.example/`, which browsers read the same way) is a path to Django
    but another site to a browser; extra leading slashes and backslashes are dropped.
    """
    return "/" + path.lstrip("/\\")


def language_links(request):
    """Links to the current page in each language, for the switch in the header.

    Plain links work without JavaScript and without a cookie: the language is
    in the address, so it is remembered as long as the visitor follows links.
    Worked out only by a page that shows them (the template calls it): the staff
    pages have a switch of their own, and resolving and reversing the path per
    language cost every staff page for nothing.
    """
    return {"language_links": partial(_language_links, request)}


def _language_links(request) -> list[dict]:
    current = get_language()
    path = _on_this_site(request.get_full_path())
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        if not url_has_allowed_host_and_scheme(url, allowed_hosts=None) or url.startswith(("//", "/\\")):
            url = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


def staff_languages(request):
    """The choices of the staff site's language switch (templates/admin/_staff_language.html)."""
    if not request.path.startswith("/admin/"):
        return {}
    return {"staff_languages": settings.STAFF_LANGUAGES}
