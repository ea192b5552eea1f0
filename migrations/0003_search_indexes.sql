-- Indexes the search context reads through (owned by search: it writes no table, it only needs these to answer fast).
-- Sound-alike surnames: the double metaphone code, with the name itself so the distinct names behind a code are
-- found by walking the index.
CREATE INDEX "parties_last_name_dmetaphone_idx" ON "parties" USING btree (dmetaphone(lower("last_name")), lower("last_name")) WHERE "last_name" IS NOT NULL;
--> statement-breakpoint
-- Business names alone, so a one-word query is not drowned by the persons who share the word.
CREATE INDEX "parties_business_name_trgm" ON "parties" USING gin (lower("display_name") gin_trgm_ops) WHERE "kind" = 'business';
--> statement-breakpoint
-- Street addresses by house number (the first word of line 1): the part of an address a caller reads out exactly.
CREATE INDEX "premises_house_number_idx" ON "premises" USING btree (split_part(lower("address_line1"), ' ', 1));
--> statement-breakpoint
CREATE INDEX "parties_mailing_house_number_idx" ON "parties" USING btree (split_part(lower("mailing_line1"), ' ', 1)) WHERE "mailing_line1" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "accounts_mailing_house_number_idx" ON "accounts" USING btree (split_part(lower("mailing_line1"), ' ', 1)) WHERE "mailing_line1" IS NOT NULL;
--> statement-breakpoint
-- Given names alone: which spellings near a typed given name are on file at all, before pairing them with surnames.
CREATE INDEX "parties_first_name_idx" ON "parties" USING btree (lower("first_name")) WHERE "first_name" IS NOT NULL;
