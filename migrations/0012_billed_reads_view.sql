-- Billing's view for metering: the reads that close a billed period (an active bill segment). Metering refuses to
-- change the usage of such a read; it reads this view rather than billing's tables.
CREATE VIEW "billed_reads" AS
  SELECT DISTINCT "end_read_id" AS "read_id" FROM "bill_segments" WHERE "active" AND "end_read_id" IS NOT NULL;
