"""Signal receivers of this app, connected once from ``EnterprisesConfig.ready``."""

from django.db.models.signals import pre_delete
from wagtail.signals import page_published


def push_on_publish(sender, instance, revision=None, **kwargs):
    """Every route that publishes a policy sends ``page_published`` inside its work: create the
    targeted push there (``enterprises.push.on_publish``)."""
    from interpretations.models import PolicyPage

    if not issubclass(sender, PolicyPage):
        return
    from enterprises import push

    push.on_publish(instance, revision)


def notify_withdrawal(sender, policy, reason, **kwargs):
    """A live policy was withdrawn (``interpretations.publishing.policy_withdrawn``, sent once
    that committed): the enterprises it was pushed to get a withdrawal notice
    (``enterprises.push.on_withdrawal``)."""
    from enterprises import push

    push.on_withdrawal(policy, reason)


def forget_deleted_enterprise(sender, instance, **kwargs):
    """An enterprise's deliveries are deleted with it: its pushes' figures drop them, in the
    same transaction (``enterprises.push.forget_enterprise``)."""
    from enterprises import push

    push.forget_enterprise(instance.pk)


def connect():
    from enterprises.models import Enterprise
    from interpretations.publishing import policy_withdrawn

    page_published.connect(push_on_publish, dispatch_uid="enterprises.push_on_publish")
    policy_withdrawn.connect(notify_withdrawal, dispatch_uid="enterprises.notify_withdrawal")
    pre_delete.connect(forget_deleted_enterprise, sender=Enterprise,
                       dispatch_uid="enterprises.forget_deleted_enterprise")
