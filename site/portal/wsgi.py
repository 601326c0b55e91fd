"""The WSGI entry point for gunicorn (``gunicorn portal.wsgi:application``).

It does not choose settings: without DJANGO_SETTINGS_MODULE a production server would silently
run the development settings (DEBUG on, a published key), so it refuses to start instead.
``manage.py runserver`` sets the variable itself (development settings)."""

from portal.entrypoints import require_settings_module

require_settings_module()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
