from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = "12345 热线工单"

    def ready(self):
        from hotline import calendar, services

        calendar.connect_signals()
        services.connect_signals()
