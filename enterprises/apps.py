from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业服务"

    def ready(self):
        from enterprises import signals

        signals.connect()
