import { describe, expect, it } from "vitest";
import { formatIdentity, maskIdentity, normaliseIdentityNumber } from "./identity-number.js";

describe("identity numbers", () => {
  it("normalises the ways a number is written so duplicates find each other", () => {
    expect(normaliseIdentityNumber("ssn", "123-45-6789").value).toBe("123456789");
    expect(normaliseIdentityNumber("ssn", " 123 45 6789 ").value).toBe("123456789");
    expect(normaliseIdentityNumber("ein", "12-3456789").value).toBe("123456789");
    expect(normaliseIdentityNumber("itin", "912-78-1234").value).toBe("912781234");
    expect(normaliseIdentityNumber("drivers_license", "d123-4567").value).toBe("D1234567");
  });
  it("refuses numbers that are never issued or malformed, saying why", () => {
    for (const bad of [
      "000-12-3456",
      "666-12-3456",
      "912-34-5678",
      "123-00-4567",
      "123-45-0000",
      "12345678",
      "12a456789",
    ]) {
      expect(normaliseIdentityNumber("ssn", bad).error, bad).toBeTruthy();
    }
    expect(normaliseIdentityNumber("itin", "123-45-6789").error).toBeTruthy();
    expect(normaliseIdentityNumber("ein", "12-345678").error).toBeTruthy();
    expect(normaliseIdentityNumber("drivers_license", "D1").error).toBeTruthy();
  });
  it("masks and formats", () => {
    expect(maskIdentity("ssn", "6789")).toBe("***-**-6789");
    expect(maskIdentity("ein", "6789")).toBe("**-***6789");
    expect(formatIdentity("ssn", "123456789")).toBe("123-45-6789");
    expect(formatIdentity("ein", "123456789")).toBe("12-3456789");
    expect(formatIdentity("drivers_license", "D1234567")).toBe("D1234567");
  });
});
