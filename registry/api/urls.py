"""URLs of the JSON API (mounted at ``/api/v1/`` with namespace ``api``): one router for every
viewset, the OpenAPI schema and its Swagger UI, and a JSON 404 for any other path."""

from django.urls import include, path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers

from ..filter_parameters import untracked
from .exceptions import UNMATCHED_ROUTE, not_found
from .views import (
    AgreementViewSet,
    CityViewSet,
    CooperationFieldViewSet,
    DelegationViewSet,
    EventViewSet,
    NetworkViewSet,
    OrganizationViewSet,
    PartnershipViewSet,
    PersonViewSet,
    SourceViewSet,
)


class DocsView(SpectacularSwaggerSplitView):
    """drf-spectacular's Swagger UI (``/api/v1/docs/``), whose start-up script's URL is the page's
    own without the parameters of a shared link's analytics
    (:func:`registry.filter_parameters.untracked`): ``?utm_source=…`` was carried into it."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        query = untracked(request.GET).urlencode()
        self.url_self = request.path + (f"?{query}" if query else "")
        return super().get(request, *args, **kwargs)


class APIRootView(routers.APIRootView):
    """``/api/v1/``: a link to each list, then to the OpenAPI schema (``schema``) and its
    documentation (``docs``), which a client found nowhere from the root (helper-92)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name in ("schema", "docs"):
            # Django's reverse: DRF's would carry the root's ?format=json, which the docs page refuses (400).
            response.data[name] = request.build_absolute_uri(reverse(f"api:{name}"))
        return response


router = routers.DefaultRouter()
router.APIRootView = APIRootView
router.include_format_suffixes = False
router.register("cities", CityViewSet, basename="city")
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("events", EventViewSet, basename="event")
router.register("delegations", DelegationViewSet, basename="delegation")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("sources", SourceViewSet, basename="source")
router.register("cooperation-fields", CooperationFieldViewSet, basename="cooperationfield")
router.register("network", NetworkViewSet, basename="network")


urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page works under
    # the Content-Security-Policy (no inline script). ReDoc needs inline styles and a font
    # host, so it is not offered.
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Any other path: a JSON 404 for every method (a write too, rather than the CSRF check's HTML
    # page: this view changes nothing); a known path without its slash is answered before, by
    # registry.middleware.ApiTrailingSlashMiddleware.
    re_path(r"^(?P<unmatched>.*)$", csrf_exempt(not_found), name=UNMATCHED_ROUTE),
]
