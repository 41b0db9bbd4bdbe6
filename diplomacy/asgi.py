"""ASGI entry point: ``diplomacy.asgi.application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")

application = get_asgi_application()
