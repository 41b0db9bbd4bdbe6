"""Middleware of the registry."""

from django.utils import translation


class AdminLanguageMiddleware:
    """Let the admin follow the browser's language.

    With ``i18n_patterns(prefix_default_language=False)`` Django treats every path without a
    language prefix as English. The admin has no prefix, so here it takes the language from
    the language cookie or the ``Accept-Language`` header instead (Korean when asked for).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/admin/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
