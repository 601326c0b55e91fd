"""Filling in a rendered form as a person would: read what the page's form sends as it stands,
then change what the person changes. Every form test posts what the page contains."""

from bs4 import BeautifulSoup


def form_data(html, selector="form[method=post i]"):
    """``(form, data)``: the form at ``selector`` and what it sends as it stands: inputs'
    values, the selected (or first) option of each select, textareas' text, checked boxes and
    radios only, no files."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, f"no form {selector} on the page"
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        kind = field.get("type", "text")
        if kind in ("file", "submit", "button", "image", "reset"):
            continue
        if kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[field["name"]] = field.get("value", "on")
        elif field.name == "textarea":
            data[field["name"]] = field.text.removeprefix("\n")
        elif field.name == "select":
            options = field.select("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            data[field["name"]] = chosen[0].get("value", "") if chosen else ""
        else:
            data[field["name"]] = field.get("value", "")
    return form, data


def option_value(form, name, text):
    """The value of the choice of field ``name`` (select option or radio) labelled ``text``."""
    for option in form.select(f"select[name={name}] option"):
        if option.get_text(strip=True) == text:
            return option["value"]
    for radio in form.select(f"input[type=radio][name={name}]"):
        label = form.select_one(f"label[for={radio.get('id')}]") or radio.parent
        if label is not None and label.get_text(strip=True) == text:
            return radio["value"]
    raise AssertionError(f"no choice {text!r} for {name}")


def field_errors(html):
    """The error messages shown next to fields and in the error summary."""
    soup = BeautifulSoup(html, "html.parser")
    return [e.get_text(" ", strip=True) for e in soup.select(
        ".error-message, .w-field__errors, [data-error-summary] li, .errorlist li")]
