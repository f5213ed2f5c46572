from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request):
    """Links to the current page in each language, for the switch in the header.

    Plain links work without JavaScript and without a cookie: the language is
    in the address, so it is remembered as long as the visitor follows links.
    """
    current = get_language()
    path = request.get_full_path()
    return {
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
            for code, name in settings.LANGUAGES
        ]
    }
