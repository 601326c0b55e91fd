from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "解读音视频与图解"
