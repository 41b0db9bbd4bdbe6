"""URL configuration: the admin, the JSON API at /api/v1/, the public pages (English at /, Korean under
/ko/), site files."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from registry.sitemaps import SITEMAPS
from registry.views_site import FaviconView, RobotsView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(("registry.api.urls", "api"), namespace="api")),
    # The unversioned addresses a client tries first lead to the current version's (they were a 404).
    path("api/", RedirectView.as_view(pattern_name="api:api-root", query_string=True)),
    path("api/schema/", RedirectView.as_view(pattern_name="api:schema", query_string=True)),
    path("api/docs/", RedirectView.as_view(pattern_name="api:docs", query_string=True)),
    path("i18n/setlang/", set_language, name="set_language"),
    # A sitemap index of one sitemap per kind of page, each in pages of at most 10,000 URLs
    # (registry.sitemaps: the protocol allows 50,000 URLs and 50 MB a file).
    path("sitemap.xml", index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
]
urlpatterns += i18n_patterns(path("", include("registry.urls")), prefix_default_language=False)
# Uploaded files are never served from MEDIA_URL: documents go through agreement_document.

# Errors under /api/ are problem+json (registry.api.exceptions); elsewhere the site's pages.
handler404 = "registry.api.exceptions.not_found"
handler500 = "registry.api.exceptions.server_error"
