from django.apps import AppConfig


class InterpretationsConfig(AppConfig):
    name = "interpretations"
    verbose_name = "政策文件与解读"

    def ready(self):
        from interpretations import signals

        signals.connect()
