"""Ticket numbers on PostgreSQL: ``hotline_next_ticket_number(day)`` returns the day's next
``12345-YYYYMMDD-NNNNNN`` from a sequence of that day (``hotline_ticket_no_YYYYMMDD``), which
it creates the first time, starting after the numbers the day already has (the
``TicketSequence`` counter used before, or numbers on tickets).

A number some ticket already has (written by an import or demo data, not taken from the
sequence) is skipped. ``nextval`` takes no row lock and is never rolled back, so the number is taken inside the
intake's own INSERT without making concurrent intakes wait for each other; a failed intake
leaves a gap, nothing more. Other databases keep counting in ``TicketSequence``.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION hotline_next_ticket_number(day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    prefix text := '12345-' || to_char(day, 'YYYYMMDD') || '-';
    seq text := 'hotline_ticket_no_' || to_char(day, 'YYYYMMDD');
    start_at bigint;
    n bigint;
    candidate text;
BEGIN
    IF to_regclass(seq) IS NULL THEN
        SELECT coalesce(greatest(
                   (SELECT max(s.last) FROM hotline_ticketsequence s WHERE s.day = $1),
                   (SELECT max(substr(t.number, length(prefix) + 1)::bigint)
                    FROM hotline_ticket t
                    WHERE t.number >= prefix AND t.number < rtrim(prefix, '-') || '.')),
               0) + 1
          INTO start_at;
        BEGIN
            EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I START WITH %s', seq, start_at);
        EXCEPTION WHEN unique_violation OR duplicate_table THEN
            NULL;  -- another intake created it at the same moment: use theirs
        END;
    END IF;
    -- Skip a number a ticket already carries (written by an import or demo data rather than
    -- taken from the sequence): one index probe, normally found free at once.
    LOOP
        n := nextval(seq::regclass);
        candidate := prefix || lpad(n::text, greatest(6, length(n::text)), '0');
        EXIT WHEN NOT EXISTS (SELECT 1 FROM hotline_ticket t WHERE t.number = candidate);
    END LOOP;
    RETURN candidate;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS hotline_next_ticket_number(date);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0004_lean_ticket_indexes")]

    operations = [migrations.RunPython(create, drop)]
