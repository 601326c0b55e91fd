"""Load the GB/T 4754-2017 门类 and 大类 (and the 中类/小类 in the data file) into every
database; existing rows, and names edited in the admin, are kept."""

from django.db import migrations


def load(apps, schema_editor):
    from enterprises.industries import load_reference_data

    load_reference_data(apps.get_model("enterprises", "Industry"))


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
