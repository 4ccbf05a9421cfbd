from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Open data and sharing: the read-only JSON API, the Atom feed, badges and share links."""

    name = "api"
    verbose_name = "Open data and sharing"
