"""ASGI entry point: ``diplomacy.asgi.application``, ready to serve
(:func:`diplomacy.serving.ready_to_serve`)."""

import os

from django.core.asgi import get_asgi_application

from diplomacy.serving import ready_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")

application = get_asgi_application()
ready_to_serve()
