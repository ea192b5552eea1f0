import { describe, expect, it } from "vitest";
import { GreenButtonError, linkPath, parseGreenButton } from "./greenbutton.js";
import { greenButtonXml } from "./greenbutton-export.js";
import { sample } from "./test-fixtures.js";

// The published Green Button sample files parse to what they hold; malformed files are refused naming the line and
// element. (Storing them is in intervals.test.ts.)

const total = (points: ReturnType<typeof parseGreenButton>) =>
  points.flatMap((p) => p.meterReadings.flatMap((m) => m.readings)).reduce((s, r) => s + r.value, 0);

describe("parseGreenButton on the sample files", () => {
  it("1hrLP_32Days: one usage point, hourly Wh (the ReadingType comes after its blocks)", () => {
    const points = parseGreenButton(sample("1hrLP_32Days.xml"));
    expect(points.map((p) => p.id)).toEqual(["01"]);
    const [mr] = points[0]!.meterReadings;
    expect(mr!.readingType).toMatchObject({ uom: 72, powerOfTenMultiplier: 0, intervalLength: 3600, flowDirection: 1 });
    expect(mr!.readings).toHaveLength(768);
    expect(total(points)).toBe(2_354_843);
  });

  it("15minLP_15Days and 1dayLP_45Days", () => {
    const quarter = parseGreenButton(sample("15minLP_15Days.xml"));
    expect(quarter[0]!.meterReadings[0]!.readings).toHaveLength(1340);
    expect(total(quarter)).toBe(1_397_734);
    const daily = parseGreenButton(sample("1dayLP_45Days.xml"));
    expect(daily[0]!.meterReadings[0]!.readingType.intervalLength).toBe(86_400);
    expect(daily[0]!.meterReadings[0]!.readings).toHaveLength(45);
    expect(total(daily)).toBe(2_958_004);
  });

  it("the batch feed: three usage points, the first with energy delivered and received", () => {
    const points = parseGreenButton(sample("BatchFeedThreeUsagePoints_M.xml"));
    expect(points.map((p) => p.id)).toEqual(["4284792", "4284793", "4284794"]);
    expect(points[0]!.meterReadings.map((m) => [m.readingType.flowDirection, m.readings.length])).toEqual([
      [1, 96],
      [19, 96],
    ]);
    expect(points[0]!.meterReadings[0]!.readingType.intervalLength).toBeNull();
  });

  it("the monthly-only file: 14 billing periods in kWh (powerOfTenMultiplier 3)", () => {
    const [point] = parseGreenButton(sample("MonthlyOnlyElectricData.xml"));
    const [mr] = point!.meterReadings;
    expect(mr!.readingType).toMatchObject({ powerOfTenMultiplier: 3, intervalLength: 2_678_400 });
    expect(mr!.readings.map((r) => r.value).reduce((a, b) => a + b, 0)).toBe(9567);
  });

  it("a year of hourly data, with the file's own DST oddities kept for the import to judge", () => {
    const [point] = parseGreenButton(sample("Coastal_Single_Family_Jan_1_2011_to_Jan_1_2012.xml"));
    const readings = point!.meterReadings[0]!.readings;
    expect(readings).toHaveLength(8760);
    expect(readings.filter((r) => r.durationS === 0)).toHaveLength(1);
    expect(readings.filter((r) => r.durationS === 7200)).toHaveLength(1);
  });
});

describe("malformed Green Button files are refused with the line and element", () => {
  const refusal = (xml: string) => {
    try {
      parseGreenButton(xml);
    } catch (err) {
      expect(err).toBeInstanceOf(GreenButtonError);
      return (err as Error).message;
    }
    throw new Error("not refused");
  };
  const good = sample("1hrLP_32Days.xml");

  it("not well-formed", () => {
    expect(refusal(good.replace("</IntervalReading>", "</IntervalReadin>"))).toMatch(
      /^line \d+, column \d+: not well-formed XML: .*IntervalReading/,
    );
    expect(refusal(good.slice(0, 5000))).toMatch(/not well-formed XML/);
  });

  it("not a feed, or with a DOCTYPE", () => {
    expect(refusal("<html><body/></html>")).toMatch(/root element is <html>.*Atom <feed>/);
    expect(refusal('<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "b">]><feed/>')).toMatch(/DOCTYPE or ENTITY/);
  });

  it("a reading without a value, or with a value that is not a number", () => {
    const noValue = good.replace("<value>2745</value>", "");
    const element = good.lastIndexOf("<IntervalReading>", good.indexOf("<value>2745</value>"));
    const line = good.slice(0, element).split("\n").length;
    expect(refusal(noValue)).toMatch(new RegExp(`^line ${line} \\(IntervalReading\\): value is missing`));
    expect(refusal(good.replace("<value>2745</value>", "<value>27.45</value>"))).toMatch(
      /\(IntervalReading\): value "27\.45" is not an integer/,
    );
    expect(refusal(good.replace("<start>1333256400</start>", "<start>soon</start>"))).toMatch(
      /IntervalReading\): timePeriod start "soon" is not an integer/,
    );
  });

  it("blocks of a MeterReading the file does not have, or a ReadingType it does not have", () => {
    expect(
      refusal(
        good.replaceAll("UsagePoint/01/MeterReading/01/IntervalBlock", "UsagePoint/01/MeterReading/99/IntervalBlock"),
      ),
    ).toMatch(
      /\(IntervalBlock\): its MeterReading RetailCustomer\/9b6c7063\/UsagePoint\/01\/MeterReading\/99 is not in the file/,
    );
    expect(refusal(good.replace('href="ReadingType/07"/>', 'href="ReadingType/08"/>'))).toMatch(
      /\(MeterReading .*\): its ReadingType\/08 is not in the file/,
    );
  });

  it("a feed with no readings", () => {
    expect(refusal('<feed xmlns="http://www.w3.org/2005/Atom"><title>empty</title></feed>')).toMatch(
      /holds no IntervalBlock readings/,
    );
  });
});

describe("links and the export's shape", () => {
  it("reads links relative, absolute or under a service's resource path alike", () => {
    expect(linkPath("https://x.example/DataCustodian/espi/1_1/resource/ReadingType/07")).toBe("ReadingType/07");
    expect(linkPath("/RetailCustomer/9b/UsagePoint/01/")).toBe("RetailCustomer/9b/UsagePoint/01");
  });

  it("writes the US daylight saving rules as the samples do, and parses back", () => {
    const xml = greenButtonXml(
      "M-1",
      [{ day: "2026-03-08", minutes: 60, wh: Array.from({ length: 23 }, (_, i) => i) }],
      "America/Los_Angeles",
      "2026-03-08",
      "2026-03-08",
      "2026-03-09T00:00:00Z",
    );
    expect(xml).toContain("<dstStartRule>360E2000</dstStartRule>");
    expect(xml).toContain("<dstEndRule>B40E2000</dstEndRule>");
    expect(xml).toContain("<tzOffset>-28800</tzOffset>");
    const [point] = parseGreenButton(xml);
    expect(point!.id).toBe("M-1");
    const readings = point!.meterReadings[0]!.readings;
    expect(readings).toHaveLength(23);
    // 2026-03-08 00:00 PST is 08:00 UTC; the clocks skip 02:00, so the third reading starts at 03:00 PDT = 10:00 UTC.
    expect(readings.slice(0, 3).map((r) => new Date(r.startS * 1000).toISOString())).toEqual([
      "2026-03-08T08:00:00.000Z",
      "2026-03-08T09:00:00.000Z",
      "2026-03-08T10:00:00.000Z",
    ]);
  });
});
