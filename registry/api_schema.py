"""The OpenAPI schema class of the API (drf-spectacular), set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer

ERROR_CODES = {
    "GET": ("400", "401", "404", "429"),
    "POST": ("400", "401", "403", "409", "429"),
    "PUT": ("400", "401", "403", "404", "409", "412", "429"),
    "PATCH": ("400", "401", "403", "404", "409", "412", "429"),
    "DELETE": ("401", "403", "404", "409", "412", "429"),
}


class RegistryAutoSchema(AutoSchema):
    """Documents the error answers every operation may give, and ``?format=`` on lists."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ERROR_CODES.get(self.method, ()):
            if code == "400" and self.method == "GET" and not self._is_list_view() and "as_of" not in self.path:
                continue
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses

    def get_override_parameters(self):
        params = super().get_override_parameters()
        view = self.view
        if self.method == "GET" and getattr(view, "action", None) == "list" and hasattr(view, "renderer_classes"):
            formats = [r.format for r in view.renderer_classes if r.format != "api"]
            params = [
                *params,
                OpenApiParameter(
                    "format",
                    OpenApiTypes.STR,
                    enum=formats,
                    description="Answer format (instead of the Accept header). Exports are not paginated.",
                ),
            ]
        return params
