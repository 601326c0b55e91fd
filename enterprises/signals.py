"""Signal receivers of this app, connected once from ``EnterprisesConfig.ready``."""

from wagtail.signals import page_published


def push_on_publish(sender, instance, revision=None, **kwargs):
    """Every route that publishes a policy sends ``page_published`` inside its work: create the
    targeted push there (``enterprises.push.on_publish``)."""
    from interpretations.models import PolicyPage

    if not issubclass(sender, PolicyPage):
        return
    from enterprises import push

    push.on_publish(instance, revision)


def connect():
    page_published.connect(push_on_publish, dispatch_uid="enterprises.push_on_publish")
