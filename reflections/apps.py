from django.apps import AppConfig


class ReflectionsConfig(AppConfig):
    name = "reflections"
    verbose_name = "Reflections"

    def ready(self):
        from . import receivers

        receivers.connect()
