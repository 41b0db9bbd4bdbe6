"""URL configuration: the admin, the public pages (English at /, Korean under /ko/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from registry.documents import agreement_document

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("agreements/<slug:slug>/document.pdf", agreement_document, name="agreement-document"),
]
urlpatterns += i18n_patterns(path("", include("registry.urls")), prefix_default_language=False)
# Uploaded files are never served from MEDIA_URL: documents go through agreement_document.
