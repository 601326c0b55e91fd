"""Enterprise services: profile changes, 企业诉求 and 线下帮办.

Matching rules live in ``enterprises/criteria.py``; the push pipeline in ``enterprises/push.py``.
"""
