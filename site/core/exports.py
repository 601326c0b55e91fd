"""Spreadsheet downloads: one way to stream a CSV that Excel opens correctly and cannot be
tricked into running a formula."""

import csv

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def safe_cell(value):
    """The cell's text; text a spreadsheet would run as a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_download(filename, header, rows):
    """Stream ``rows`` (iterables of cells) under ``header`` as ``filename``: UTF-8 with BOM so
    Excel reads the Chinese, formula-safe cells, never cached."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([str(c) for c in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Wagtail's list exports (``list_export`` on a viewset) -------------------------------------


class SafeSpreadsheetExportMixin:
    """Wagtail's CSV/XLSX export of an admin list (``SpreadsheetExportMixin``) the way
    ``csv_download`` writes: every text cell through ``safe_cell`` (in both formats), the CSV
    with a BOM and never cached."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return safe_cell(value) if isinstance(value, str) else value

    def stream_csv(self, queryset):
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Cache-Control"] = "no-store"
        return response

    def write_xlsx_response(self, queryset):
        response = super().write_xlsx_response(queryset)
        response["Cache-Control"] = "no-store"
        return response


_safe_views = {}


def safe_export_view(view_class):
    """``view_class`` with its spreadsheet export made safe (itself when it has no export or
    already is); one subclass per class."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if not issubclass(view_class, SpreadsheetExportMixin) or issubclass(
            view_class, SafeSpreadsheetExportMixin):
        return view_class
    if view_class not in _safe_views:
        _safe_views[view_class] = type(view_class.__name__, (SafeSpreadsheetExportMixin,
                                                             view_class),
                                       {"__module__": view_class.__module__})
    return _safe_views[view_class]


class SafeExportViewSetMixin:
    """For the project's admin viewsets (``core.viewsets.ModelViewSet``, ``SnippetViewSet``):
    whatever index view a viewset names, its downloads are made safe."""

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(safe_export_view(view_class), **kwargs)
