"""Admin lists that read in Chinese, for every admin viewset of the project (``core.viewsets``).

``cell_value`` is the one rule for what a list cell shows: a stated meaning for an empty value
(``—``, or what the viewset says an empty value means, e.g. 所有分类（默认）), 是/否 for a
boolean. ``platform_view_class`` gives a viewset's views what they need for that:

* the index view's columns (``ReadableListMixin``): boolean model fields as 是/否 with an icon
  (``wagtailadmin/tables/boolean_cell.html``), fields with choices by their label, empty values
  by their meaning, and headers from the model's Chinese ``verbose_name`` where a column has
  only its English default;
* every view's links (``ExistingRoutesMixin``): a viewset that serves only some of its routes
  (listing and inspection, no editing) shows no button for a route it does not serve, instead
  of failing to build the link.
"""

from copy import copy

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BaseColumn, BooleanColumn, Column
from wagtail.admin.views import generic

EMPTY = "—"
YES, NO = _("是"), _("否")
# Columns whose cells print the value as text (others draw icons, tags, dates themselves).
TEXT_CELLS = {"wagtailadmin/tables/cell.html", "wagtailadmin/tables/title_cell.html"}
URL_NAME_ATTRIBUTES = ("add_url_name", "edit_url_name", "delete_url_name", "copy_url_name",
                       "inspect_url_name", "history_url_name", "usage_url_name",
                       "reorder_url_name", "unpublish_url_name", "revisions_revert_url_name",
                       "revisions_compare_url_name", "revisions_unschedule_url_name",
                       "lock_url_name", "unlock_url_name", "workflow_history_url_name")


def cell_value(value, empty=EMPTY):
    """What a list cell shows for ``value``: ``empty`` for nothing (None or blank text), 是/否
    for a boolean, otherwise the value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return empty
    if isinstance(value, bool):
        return YES if value else NO
    return value


class ReadableValueMixin:
    """A text column whose cells go through ``cell_value``."""

    empty_label = EMPTY

    def get_value(self, instance):
        return cell_value(super().get_value(instance), self.empty_label)


def model_field(model, name):
    """The model field a column named ``name`` shows (``a__b`` follows relations), or None."""
    if model is None or not isinstance(name, str):
        return None
    field = None
    for part in name.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field if isinstance(field, models.Field) else None


def default_label(name):
    """The English label Wagtail makes from a column's name when it is given none."""
    return capfirst(str(name).replace("_", " "))


def readable_column(column, model, empty_labels=None, labels=None):
    """``column`` as the project's lists show it (a copy; Wagtail's own column is unchanged)."""
    if not isinstance(column, Column) or column.cell_template_name not in TEXT_CELLS:
        return column
    name = column.name
    field = model_field(model, name)
    label = column.label
    if labels and name in labels:
        label = labels[name]
    elif field is not None and str(label) == default_label(name):
        label = capfirst(field.verbose_name)
    if (isinstance(field, models.BooleanField) and column.accessor == name
            and column.cell_template_name == "wagtailadmin/tables/cell.html"):
        return BooleanColumn(name, label=label, sort_key=column.sort_key,
                             classname=column.classname, width=column.width)
    column = copy(column)
    column.label = label
    column.header = BaseColumn.Header(column)
    if field is not None and field.choices and column.accessor == name and "__" not in name:
        column.accessor = f"get_{name}_display"
    cls = type(column)
    column.__class__ = type(cls.__name__, (ReadableValueMixin, cls), {})
    column.empty_label = (empty_labels or {}).get(name, EMPTY)
    return column


class ReadableListMixin:
    """An index view whose columns read in Chinese (``readable_column``). The viewset passes
    ``list_empty_labels`` (column name → what an empty value means) and ``column_labels``
    (column name → header, for a column that shows a property rather than a field)."""

    list_empty_labels = {}
    column_labels = {}

    @cached_property
    def columns(self):
        return [readable_column(column, self.model, self.list_empty_labels, self.column_labels)
                for column in super().columns]


def route_exists(name):
    """Whether the URL name ``name`` is served (with no argument or with one object key)."""
    for args in ((), ("0",)):
        try:
            reverse(name, args=args)
            return True
        except NoReverseMatch:
            continue
    return False


class ExistingRoutesMixin:
    """A view that links only to routes its viewset serves: the name of a route the viewset
    dropped (``get_urlpatterns``) is cleared, and with it the button."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        for attribute in URL_NAME_ATTRIBUTES:
            name = getattr(self, attribute, None)
            if isinstance(name, str) and not route_exists(name):
                setattr(self, attribute, None)


def platform_view_class(view_class):
    """``view_class`` with the mixins above (the same class when it has them already)."""
    bases = []
    if issubclass(view_class, generic.IndexView) and not issubclass(view_class,
                                                                     ReadableListMixin):
        bases.append(ReadableListMixin)
    if not issubclass(view_class, ExistingRoutesMixin):
        bases.append(ExistingRoutesMixin)
    if not bases:
        return view_class
    return type(view_class.__name__, (*bases, view_class),
                {"__module__": view_class.__module__, "__doc__": view_class.__doc__})


class PlatformViewSetMixin:
    """For a Wagtail model or snippet viewset: its views through ``platform_view_class``, with
    the viewset's ``list_empty_labels`` and ``column_labels`` for its lists."""

    list_empty_labels = {}
    column_labels = {}

    def construct_view(self, view_class, **kwargs):
        view_class = platform_view_class(view_class)
        if issubclass(view_class, ReadableListMixin):
            kwargs.setdefault("list_empty_labels", self.list_empty_labels)
            kwargs.setdefault("column_labels", self.column_labels)
        return super().construct_view(view_class, **kwargs)
