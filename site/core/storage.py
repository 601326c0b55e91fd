"""Private files: uploads that carry personal data (12345 ticket attachments) live outside
MEDIA_ROOT, in ``settings.PRIVATE_MEDIA_ROOT``, and have no public address.

They are reached only through a view that checks who asks (``hotline.attachments``); the view
either streams the file or, behind nginx, hands it over with ``X-Accel-Redirect`` to an
``internal`` location (``settings.PRIVATE_FILES_ACCEL_PREFIX``). Public media (``MEDIA_URL``,
served from MEDIA_ROOT) keeps only what may be public: images, media items, documents.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="core.storage.PrivateFileStorage")
class PrivateFileStorage(FileSystemStorage):
    """A file system storage under ``PRIVATE_MEDIA_ROOT`` (read when first used, and again
    when a test changes the setting) without a URL: ``url()`` refuses, so no template can
    link to a private file by mistake."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
        elif setting != "MEDIA_ROOT":
            super()._clear_cached_properties(setting, **kwargs)

    def url(self, name):
        raise ValueError("Private files have no public URL; link to the checking view instead.")


def private_storage():
    """The ``private`` storage (``STORAGES["private"]``): a callable, so a model field using it
    is not tied to one storage object in its migrations."""
    return storages["private"]
