-- The ledger's rules held by the database itself, beneath the checks in code (owned by the ledger context).
-- 1. The journal is immutable: mistakes are corrected by a reversing entry, never by UPDATE, DELETE or TRUNCATE.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is immutable (% on %): post a reversing entry instead', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER journal_postings_immutable BEFORE UPDATE OR DELETE ON journal_postings
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER journal_postings_no_truncate BEFORE TRUNCATE ON journal_postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- 2. Every entry balances: at commit, each entry written in the transaction has at least two postings summing to
-- zero. Deferred, because an entry's postings are inserted one statement after the entry.
CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry bigint;
  total numeric;
  lines integer;
BEGIN
  IF TG_TABLE_NAME = 'journal_entries' THEN
    entry := NEW.id;
  ELSE
    entry := NEW.entry_id;
  END IF;
  SELECT coalesce(sum(amount_cents), 0), count(*) INTO total, lines FROM journal_postings WHERE entry_id = entry;
  IF lines < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance: % postings summing to % cents', entry, lines, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journal_postings_balanced AFTER INSERT ON journal_postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
--> statement-breakpoint
-- 3. The default chart of GL accounts. Codes and names are the utility's to change; `purpose` is what the system
-- posts to by default, `subledger` marks the accounts that make up a customer account's balance.
INSERT INTO gl_accounts (code, name, type, purpose, subledger) VALUES
  ('1010', 'Cash drawers', 'asset', 'cash_drawers', NULL),
  ('1020', 'Bank clearing', 'asset', 'bank_clearing', NULL),
  ('1100', 'Customer receivables', 'asset', 'receivables', 'receivable'),
  ('1190', 'Balance transfer clearing', 'asset', 'transfer_clearing', NULL),
  ('2100', 'Unapplied cash', 'liability', 'unapplied_cash', 'unapplied'),
  ('2200', 'Customer deposits held', 'liability', 'deposits_held', NULL),
  ('2300', 'Taxes payable', 'liability', 'taxes_payable', NULL),
  ('2400', 'Refunds payable', 'liability', 'refunds_payable', NULL),
  ('4010', 'Energy revenue', 'revenue', 'revenue_energy', NULL),
  ('4020', 'Delivery revenue', 'revenue', 'revenue_delivery', NULL),
  ('4050', 'Fee revenue', 'revenue', 'revenue_fees', NULL),
  ('4090', 'Revenue adjustments', 'revenue', 'revenue_adjustments', NULL),
  ('6100', 'Bad debt expense', 'expense', 'bad_debt', NULL);
