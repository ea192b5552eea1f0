import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNanp, isE164Nanp, toE164 } from "./phone.js";

describe("E.164 phone numbers", () => {
  it("normalises the ways people type a US number", () => {
    for (const typed of [
      "(916) 555-0142",
      "916-555-0142",
      "916.555.0142",
      "9165550142",
      "1 916 555 0142",
      "1-916-555-0142",
      "+1 (916) 555-0142",
      "+19165550142",
      "  916 555 0142  ",
    ]) {
      expect(toE164(typed), typed).toBe("+19165550142");
    }
  });

  it("refuses what is not a dialable US number", () => {
    for (const bad of [
      "",
      "555-0142",
      "(016) 555-0142",
      "(916) 155-0142",
      "(911) 555-0142",
      "(916) 411-0142",
      "+44 20 7946 0958",
      "916-555-0142 x12",
      "916-CALL-NOW",
      "2 916 555 0142",
      "99165550142",
    ]) {
      expect(toE164(bad), bad).toBeNull();
    }
  });

  it("round-trips: a formatted E.164 number normalises to itself", () => {
    const digit = (lo: number) => fc.integer({ min: lo, max: 9 });
    fc.assert(
      fc.property(
        digit(2),
        fc.array(digit(0), { minLength: 2, maxLength: 2 }),
        digit(2),
        fc.array(digit(0), { minLength: 6, maxLength: 6 }),
        (a, as, e, rest) => {
          const area = `${a}${as.join("")}`;
          const exchange = `${e}${rest.slice(0, 2).join("")}`;
          fc.pre(!/11$/.test(area) && !/11$/.test(exchange));
          const e164 = `+1${area}${exchange}${rest.slice(2).join("")}`;
          expect(isE164Nanp(e164)).toBe(true);
          expect(toE164(formatNanp(e164))).toBe(e164);
        },
      ),
    );
  });
});
