"""Every INSERT or UPDATE of a rating or a 差评整改 case marks the rated service's local day
dirty, whatever wrote it (services, bulk loads, raw SQL), so ``ratings.rollup.refresh``
recomputes exactly the days that changed. Also marks every existing day dirty once."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

TZ = settings.TIME_ZONE

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION ratings_mark_dirty() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'ratings_rating' THEN
        INSERT INTO ratings_dirtyday (day)
        SELECT DISTINCT (served_at AT TIME ZONE '{TZ}')::date FROM new_rows
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO ratings_dirtyday (day)
        SELECT DISTINCT (r.served_at AT TIME ZONE '{TZ}')::date
        FROM new_rows c JOIN ratings_rating r ON r.id = c.rating_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER ratings_rating_dirty_ins AFTER INSERT ON ratings_rating
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ratings_mark_dirty();
CREATE TRIGGER ratings_rating_dirty_upd AFTER UPDATE ON ratings_rating
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ratings_mark_dirty();
CREATE TRIGGER ratings_case_dirty_ins AFTER INSERT ON ratings_badratingcase
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ratings_mark_dirty();
CREATE TRIGGER ratings_case_dirty_upd AFTER UPDATE ON ratings_badratingcase
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ratings_mark_dirty();
INSERT INTO ratings_dirtyday (day)
    SELECT DISTINCT (served_at AT TIME ZONE '{TZ}')::date FROM ratings_rating
    ON CONFLICT DO NOTHING;
CREATE INDEX ratings_rating_bad_reasons ON ratings_rating (served_at) INCLUDE (reason)
    WHERE status = 'counted' AND is_default = false AND level <= 2;
"""
PG_BACKWARD = """
DROP INDEX IF EXISTS ratings_rating_bad_reasons;
DROP TRIGGER IF EXISTS ratings_rating_dirty_ins ON ratings_rating;
DROP TRIGGER IF EXISTS ratings_rating_dirty_upd ON ratings_rating;
DROP TRIGGER IF EXISTS ratings_case_dirty_ins ON ratings_badratingcase;
DROP TRIGGER IF EXISTS ratings_case_dirty_upd ON ratings_badratingcase;
DROP FUNCTION IF EXISTS ratings_mark_dirty();
"""


def sqlite_statements():
    # SQLite stores UTC text; the platform's zone has no daylight saving, so a fixed offset.
    hours = int(datetime.now(ZoneInfo(TZ)).utcoffset().total_seconds() // 3600)
    day = f"date(%s, '{hours:+d} hours')"
    rating_day = day % "NEW.served_at"
    case_day = (f"SELECT {day % 'served_at'} FROM ratings_rating WHERE id = NEW.rating_id")
    return [
        f"CREATE TRIGGER ratings_rating_dirty_ins AFTER INSERT ON ratings_rating BEGIN "
        f"INSERT OR IGNORE INTO ratings_dirtyday (day) VALUES ({rating_day}); END",
        f"CREATE TRIGGER ratings_rating_dirty_upd AFTER UPDATE ON ratings_rating BEGIN "
        f"INSERT OR IGNORE INTO ratings_dirtyday (day) VALUES ({rating_day}); END",
        f"CREATE TRIGGER ratings_case_dirty_ins AFTER INSERT ON ratings_badratingcase BEGIN "
        f"INSERT OR IGNORE INTO ratings_dirtyday (day) {case_day}; END",
        f"CREATE TRIGGER ratings_case_dirty_upd AFTER UPDATE ON ratings_badratingcase BEGIN "
        f"INSERT OR IGNORE INTO ratings_dirtyday (day) {case_day}; END",
        f"INSERT OR IGNORE INTO ratings_dirtyday (day) SELECT DISTINCT {day % 'served_at'} "
        f"FROM ratings_rating",
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(PG_FORWARD)
        elif vendor == "sqlite":
            for statement in sqlite_statements():
                cursor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(PG_BACKWARD)
        elif vendor == "sqlite":
            for name in ("ratings_rating_dirty_ins", "ratings_rating_dirty_upd",
                         "ratings_case_dirty_ins", "ratings_case_dirty_upd"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("ratings", "0004_rollup")]
    operations = [migrations.RunPython(forward, backward)]
