from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "好差评"

    def ready(self):
        from ratings import guards

        guards.connect()
