-- Every journal entry balances, checked per statement instead of per row (owned by the ledger context; ADR 0006).
-- The per-row constraint triggers of 0005 ran one query per entry and per posting at commit: under a bulk load of
-- millions of postings (the seed) that check outweighed the load itself. The same rule now costs one query per
-- statement, and one per transaction at commit:
-- 1. Postings are written in balanced groups: the postings one statement adds to an entry number at least two and
--    sum to zero (so an entry stays balanced whatever is added to it later). Checked when the statement ends.
-- 2. Every entry a transaction writes has, at commit, at least two postings summing to zero (so an entry written
--    without postings is refused). Each statement that inserts entries notes their id span in a transaction-local
--    setting; the first deferred firing at commit checks every noted span in one set-based query and clears the note,
--    so the firings after it return at once.
DROP TRIGGER journal_entries_balanced ON journal_entries;
--> statement-breakpoint
DROP TRIGGER journal_postings_balanced ON journal_postings;
--> statement-breakpoint
DROP FUNCTION ledger_check_entry_balanced();
--> statement-breakpoint
CREATE FUNCTION ledger_check_posting_groups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT entry_id, count(*) AS lines, sum(amount_cents) AS total INTO bad
  FROM new_postings GROUP BY entry_id HAVING count(*) < 2 OR sum(amount_cents) <> 0
  ORDER BY entry_id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % does not balance: % postings summing to % cents', bad.entry_id, bad.lines, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER journal_postings_balanced AFTER INSERT ON journal_postings
  REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_posting_groups();
--> statement-breakpoint
-- The note is "lo:hi,lo:hi,...": a span that continues the last one extends it; past 4,000 characters (a long
-- transaction interleaved with others) the spans collapse into one that covers them all, which is still correct:
-- the other entries it takes in were either checked when their own transaction committed or are not visible.
CREATE FUNCTION ledger_note_entries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lo bigint;
  hi bigint;
  pending text := coalesce(current_setting('kilowatt.ledger_unchecked', true), '');
  last_span text;
  last_lo bigint;
  last_hi bigint;
BEGIN
  SELECT min(id), max(id) INTO lo, hi FROM new_entries;
  IF lo IS NULL THEN
    RETURN NULL;
  END IF;
  IF pending = '' THEN
    pending := lo || ':' || hi;
  ELSE
    last_span := split_part(pending, ',', -1);
    last_lo := split_part(last_span, ':', 1)::bigint;
    last_hi := split_part(last_span, ':', 2)::bigint;
    IF lo >= last_lo AND lo <= last_hi + 1 THEN
      pending := left(pending, length(pending) - length(last_span)) || last_lo || ':' || greatest(hi, last_hi);
    ELSIF length(pending) > 4000 THEN
      SELECT least(min(split_part(s, ':', 1)::bigint), lo) || ':' || greatest(max(split_part(s, ':', 2)::bigint), hi)
        INTO pending FROM unnest(string_to_array(pending, ',')) AS s;
    ELSE
      pending := pending || ',' || lo || ':' || hi;
    END IF;
  END IF;
  PERFORM set_config('kilowatt.ledger_unchecked', pending, true);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER journal_entries_noted AFTER INSERT ON journal_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_note_entries();
--> statement-breakpoint
CREATE FUNCTION ledger_check_noted_entries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pending text := coalesce(current_setting('kilowatt.ledger_unchecked', true), '');
  span text;
  lo bigint;
  hi bigint;
  bad record;
BEGIN
  IF pending = '' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('kilowatt.ledger_unchecked', '', true);
  FOREACH span IN ARRAY string_to_array(pending, ',') LOOP
    lo := split_part(span, ':', 1)::bigint;
    hi := split_part(span, ':', 2)::bigint;
    SELECT e.id, count(p.entry_id) AS lines, coalesce(sum(p.amount_cents), 0) AS total INTO bad
    FROM journal_entries e
    LEFT JOIN journal_postings p ON p.entry_id = e.id AND p.entry_id BETWEEN lo AND hi
    WHERE e.id BETWEEN lo AND hi
    GROUP BY e.id HAVING count(p.entry_id) < 2 OR coalesce(sum(p.amount_cents), 0) <> 0
    ORDER BY e.id LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'journal entry % does not balance: % postings summing to % cents', bad.id, bad.lines, bad.total
        USING ERRCODE = 'check_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_noted_entries();
