"""Picking the policy a 12345 ticket is about: the search behind the workbench's
search-as-you-type list (``find_policies``, served by ``admin_views.policy_lookup``), the form
field that reads the choice (``PolicyField``) and its widget (``PolicyPicker``, a combobox whose
script is ``static/hotline/policy-picker.js``).

Without JavaScript the widget is a text box: what was typed (a 发文字号, a title, or words of
one) is resolved on the server by ``resolve_policy``, or refused with a Chinese message.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LIMIT = 10
MAX_QUERY = 60
# 发文字号 are written with 〔〕; people type [], 【】, ［］ or ().
BRACKETS = str.maketrans("[]［］【】()（）", "〔〕〔〕〔〕〔〕〔〕")


def clean_query(raw):
    """The search text (whitespace collapsed); ValidationError with a Chinese message when it
    is empty, too long or holds control characters."""
    query = " ".join(str(raw or "").split())
    if not query:
        raise ValidationError(_("请输入政策标题中的词或发文字号。"))
    if len(query) > MAX_QUERY:
        raise ValidationError(_("查找内容不能超过 %(n)d 个字。") % {"n": MAX_QUERY})
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in query):
        raise ValidationError(_("查找内容含有无法识别的字符，请重新输入。"))
    return query


def label(policy):
    """How a policy is shown in the list and in the box once chosen: 标题（发文字号）."""
    return f"{policy.title}（{policy.doc_number}）" if policy.doc_number else policy.title


def find_policies(query, limit=LIMIT):
    """Up to ``limit`` live policies for a cleaned query: those whose title or 发文字号 holds the
    text as typed (an exact 发文字号 or title first, then newest), then those holding its
    Chinese words (``interpretations.services.search_policies``)."""
    from interpretations.models import PolicyPage
    from interpretations.services import search_policies

    live = PolicyPage.objects.live().only("title", "doc_number", "published_on")
    doc = query.translate(BRACKETS)
    direct = live.filter(Q(title__icontains=query) | Q(doc_number__icontains=query)
                         | Q(doc_number__icontains=doc)).alias(exact=Case(
                             When(doc_number=doc, then=Value(0)), When(title=query, then=Value(1)),
                             default=Value(2), output_field=IntegerField()))
    found = list(direct.order_by("exact", "-published_on", "-pk")[:limit])
    if len(found) < limit:
        found += search_policies(query, live.exclude(pk__in=[p.pk for p in found]))[
            :limit - len(found)]
    return found


def as_json(policy):
    return {"id": policy.pk, "title": policy.title, "doc_number": policy.doc_number,
            "published_on": policy.published_on.isoformat() if policy.published_on else None}


def names(policy, query):
    """Whether ``query`` names ``policy`` by its title or 发文字号: as a part of either, or
    with every one of its Chinese words in the title (text matches alone do not count)."""
    from interpretations.services import segment

    title, doc = policy.title.lower(), policy.doc_number.lower()
    text = query.lower()
    if text in title or text in doc or text.translate(BRACKETS) in doc:
        return True
    words = segment(text, for_search=False).split()
    return bool(words) and all(w in title for w in words)


def resolve_policy(text):
    """The one live policy that typed ``text`` names (see ``names``; its exact 发文字号 or title,
    or the list's 「标题（发文字号）」, win outright). ValidationError otherwise."""
    from interpretations.models import PolicyPage

    query = clean_query(text)
    doc = query.translate(BRACKETS)
    exact = Q(doc_number=doc) | Q(title=query)
    if query.endswith("）") and "（" in query:
        title, _sep, number = query[:-1].rpartition("（")
        exact |= Q(title=title.strip(), doc_number=number.strip().translate(BRACKETS))
    found = list(PolicyPage.objects.live().filter(exact)[:2])
    if len(found) != 1:
        found = found or [p for p in find_policies(query) if names(p, query)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(_("没有找到与「%(q)s」相符的已发布政策，请核对标题或发文字号。")
                              % {"q": query})
    raise ValidationError(_("有多件政策与「%(q)s」相符（如%(some)s），请输入完整的发文字号或标题。")
                          % {"q": query, "some": "、".join(f"《{label(p)}》" for p in found[:2])})


class PolicyPicker(forms.Widget):
    """A text box with ``role="combobox"`` and a list of matching policies that updates while
    one types; the chosen policy's id goes to a hidden input named like the field, the text to
    ``<name>_query``. The value is the pair (id, text)."""

    template_name = "hotline/widgets/policy_picker.html"

    class Media:
        js = ["hotline/policy-picker.js"]
        css = {"all": ["hotline/policy-picker.css"]}

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "", data.get(f"{name}_query") or "")

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_query" not in data

    def format_value(self, value):
        if hasattr(value, "pk"):  # a policy (the field's initial value)
            return (value.pk, label(value))
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return tuple(value)
        return ("", "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        pk, text = widget["value"]
        box = widget["attrs"]  # the text box's attributes: the combobox
        box_id = box.get("id") or f"id_{name}"
        described = [f"{box_id}-hint", *box.get("aria-describedby", "").split()]
        box.update({
            "id": box_id, "class": f"policy-picker__input {box.get('class', '')}".strip(),
            "autocomplete": "off", "spellcheck": "false", "role": "combobox",
            "aria-autocomplete": "list", "aria-expanded": "false",
            "aria-controls": f"{box_id}-listbox", "aria-describedby": " ".join(described),
        })
        widget.update({
            "pk": "" if pk is None else pk, "text": text, "query_name": f"{name}_query",
            "box_id": box_id, "lookup_url": reverse("hotline_policy_lookup"),
        })
        return context

    def id_for_label(self, id_):
        return id_  # the text box


class PolicyField(forms.Field):
    """Cleans the picker's (id, text) to a live ``PolicyPage`` or None: the id the list set
    while the text is still there, else the typed text resolved on the server."""

    widget = PolicyPicker
    default_error_messages = {
        "unknown": gettext_lazy("所选政策不存在或已下线，请重新选择。"),
    }

    def to_python(self, value):
        from interpretations.models import PolicyPage

        if hasattr(value, "pk"):
            value = (value.pk, label(value))
        pk, text = value if isinstance(value, (list, tuple)) else ("", value)
        if not str(text or "").strip():
            return None  # the text was cleared: no policy, whatever id is left behind
        pk = str(pk or "").strip()
        if pk:
            valid = pk.isascii() and pk.isdigit() and len(pk) < 12
            policy = PolicyPage.objects.live().filter(pk=int(pk)).first() if valid else None
            if policy is None:
                raise ValidationError(self.error_messages["unknown"], code="unknown")
            return policy
        return resolve_policy(text)
