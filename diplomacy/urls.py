"""URL configuration: the admin, the JSON API at /api/v1/, the public pages (English at /, Korean under /ko/)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(("registry.api", "api"), namespace="api")),
    path("i18n/setlang/", set_language, name="set_language"),
]
urlpatterns += i18n_patterns(path("", include("registry.urls")), prefix_default_language=False)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
