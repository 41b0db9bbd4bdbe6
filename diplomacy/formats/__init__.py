"""Django's date and time formats per language (``FORMAT_MODULE_PATH``), where the project's
differ from Django's own: a date and time names its time zone (``REGISTRY_TIME_ZONE``)."""
