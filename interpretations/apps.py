from django.apps import AppConfig


class InterpretationsConfig(AppConfig):
    name = "interpretations"
    verbose_name = "政策文件与解读"
