"""WSGI entry point: ``diplomacy.wsgi.application``, ready to serve
(:func:`diplomacy.serving.ready_to_serve`)."""

import os

from django.core.wsgi import get_wsgi_application

from diplomacy.serving import ready_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")

application = get_wsgi_application()
ready_to_serve()
