"""Signal receivers of this app, connected once from ``EnterprisesConfig.ready``."""


def connect():
    pass
