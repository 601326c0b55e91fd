"""pg_trgm for ranking repeat candidates by text similarity (PostgreSQL only).

``TrigramExtension`` does nothing on other databases; there the ranking is done in Python
(character-bigram Jaccard, hotline.services.text_similarity).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [TrigramExtension()]
