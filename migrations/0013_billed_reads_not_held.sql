-- A held bill has not gone out: the read behind it may still be corrected (then the bill is rebilled), so only the
-- reads of issued bills count as billed.
CREATE OR REPLACE VIEW "billed_reads" AS
  SELECT DISTINCT s."end_read_id" AS "read_id"
  FROM "bill_segments" AS s JOIN "bills" AS b ON b."id" = s."bill_id"
  WHERE s."active" AND b."status" = 'issued' AND s."end_read_id" IS NOT NULL;
