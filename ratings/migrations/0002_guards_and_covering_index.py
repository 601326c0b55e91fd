"""Database-level guards: a rating's content can never be updated (and, on PostgreSQL, a rating
row can never be deleted); plus a covering index for the figures on PostgreSQL."""

from django.db import migrations

CONTENT = ["ticket_id", "event_id", "organisation_id", "item", "channel", "level", "is_default",
           "reason", "comment", "phone", "served_at", "rated_at", "ip_hash", "device_hash"]

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION ratings_rating_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ratings are never deleted (rating %)', OLD.id;
    END IF;
    IF ({", ".join("NEW." + c for c in CONTENT)}) IS DISTINCT FROM
       ({", ".join("OLD." + c for c in CONTENT)}) THEN
        RAISE EXCEPTION 'a rating never changes after it is given (rating %)', OLD.id;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER ratings_rating_guard BEFORE UPDATE OR DELETE ON ratings_rating
    FOR EACH ROW EXECUTE FUNCTION ratings_rating_guard();
CREATE INDEX ratings_rating_figures ON ratings_rating (served_at)
    INCLUDE (organisation_id, level, is_default, channel, id) WHERE status = 'counted';
"""
PG_BACKWARD = """
DROP INDEX IF EXISTS ratings_rating_figures;
DROP TRIGGER IF EXISTS ratings_rating_guard ON ratings_rating;
DROP FUNCTION IF EXISTS ratings_rating_guard();
"""
# SQLite: test databases are emptied with DELETE, so only updates are refused there.
SQLITE_FORWARD = f"""
CREATE TRIGGER ratings_rating_guard BEFORE UPDATE ON ratings_rating
WHEN {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)}
BEGIN SELECT RAISE(ABORT, 'a rating never changes after it is given'); END;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # A plain cursor: the trigger's RAISE uses "%", which schema_editor.execute would
        # take for a query parameter.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ratings_rating_guard")


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
