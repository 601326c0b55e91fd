"""Form widgets shared by the apps' forms."""

from django import forms


class PhoneInput(forms.TextInput):
    """A telephone number: a phone opens its number pad (``inputmode="tel"``) and the browser
    offers the number it knows (``autocomplete="tel"``)."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})
