import { createHash } from "node:crypto";
import { Temporal } from "temporal-polyfill";
import { parseIsoDate } from "../../core/rates/calendar.js";
import type { Ctx } from "../../platform/context.js";
import { checkRange, type DayRow, loadDays, localCalendar } from "./intervals.js";
import { requireMeterByNumber } from "./meters.js";

// Green Button out: a meter's stored intervals over local days as an ESPI Atom feed of the same shape as the files
// Kilowatt imports (UsagePoint, LocalTimeParameters, a MeterReading and ReadingType per interval length, an
// IntervalBlock per local day), so an export imports back to the same intervals. The usage point is named after the
// meter, which is how an import without a meter named finds it again.

const ESPI = "http://naesb.org/espi";
const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** A name-based UUID (SHA-1), so the same export gives the same ids. */
function uuidOf(name: string): string {
  const h = createHash("sha1").update(name).digest("hex");
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * ESPI's daylight-saving rule word for a transition: month (bits 28-31), operator (25-27: 2-6 the first to fifth
 * such weekday of the month, 7 the last), weekday (17-19, Monday 1 ... Sunday 7), hour (12-16) and seconds (0-11) of
 * the local time before the change. The US rules come out as 360E2000 and B40E2000.
 */
function dstRule(transition: Temporal.ZonedDateTime): string {
  // The wall clock just before the change, in the offset then in force (2:00 standard time for the US spring).
  const prior = transition.subtract({ seconds: 1 });
  const total = (prior.hour * 3600 + prior.minute * 60 + prior.second + 1) % 86_400;
  const hour = Math.floor(total / 3600);
  const seconds = total % 3600;
  const operator = prior.day + 7 > prior.daysInMonth ? 7 : Math.ceil(prior.day / 7) + 1;
  const word = (prior.month << 28) | (operator << 25) | (prior.dayOfWeek << 17) | (hour << 12) | seconds;
  return (word >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

/** The LocalTimeParameters of a zone in a year: standard offset, daylight saving offset and rules. */
function localTimeParameters(zone: string, year: number) {
  const jan = Temporal.ZonedDateTime.from({ timeZone: zone, year, month: 1, day: 1 });
  const jul = Temporal.ZonedDateTime.from({ timeZone: zone, year, month: 7, day: 1 });
  const a = jan.offsetNanoseconds / 1e9;
  const b = jul.offsetNanoseconds / 1e9;
  const tzOffset = Math.min(a, b);
  const dstOffset = Math.abs(a - b);
  if (dstOffset === 0) return { tzOffset, dstOffset, start: "FFFFFFFF", end: "FFFFFFFF" };
  let start = "FFFFFFFF";
  let end = "FFFFFFFF";
  let at: Temporal.ZonedDateTime | null = jan;
  for (let i = 0; i < 4 && at; i++) {
    at = at.getTimeZoneTransition("next");
    if (!at || at.year !== year) break;
    const offset = at.offsetNanoseconds / 1e9;
    if (offset > tzOffset) start = dstRule(at);
    else end = dstRule(at);
  }
  return { tzOffset, dstOffset, start, end };
}

function entry(
  id: string,
  self: string,
  up: string,
  related: string[],
  title: string,
  content: string,
  updated: string,
) {
  return [
    "  <entry>",
    `    <id>${id}</id>`,
    `    <link rel="self" href="${esc(self)}"/>`,
    `    <link rel="up" href="${esc(up)}"/>`,
    ...related.map((r) => `    <link rel="related" href="${esc(r)}"/>`),
    `    <title>${esc(title)}</title>`,
    "    <content>",
    content,
    "    </content>",
    `    <published>${updated}</published>`,
    `    <updated>${updated}</updated>`,
    "  </entry>",
  ].join("\n");
}

/** The ESPI feed of days of one meter (pure, given the days). */
export function greenButtonXml(
  meterNumber: string,
  days: readonly DayRow[],
  zone: string,
  from: string,
  to: string,
  now: string,
) {
  const cal = localCalendar(zone);
  const updated = now.replace(/\.\d+Z$/, "Z");
  const up = `UsagePoint/${meterNumber}`;
  const lengths = [...new Set(days.map((d) => d.minutes))].sort((a, b) => a - b);
  const ltp = localTimeParameters(zone, Number(from.slice(0, 4)));
  const name = (part: string) => uuidOf(`kilowatt:${meterNumber}:${from}:${to}:${part}`);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    `  <id>${name("feed")}</id>`,
    `  <title>Meter ${esc(meterNumber)}: energy delivered ${from} to ${to}</title>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" href="${esc(up)}/Export/${from}/${to}"/>`,
    entry(
      name("usage-point"),
      up,
      "UsagePoint",
      [`${up}/MeterReading`, "LocalTimeParameters/1"],
      `Meter ${meterNumber}`,
      `      <UsagePoint xmlns="${ESPI}">\n        <ServiceCategory>\n          <kind>0</kind>\n        </ServiceCategory>\n      </UsagePoint>`,
      updated,
    ),
    entry(
      name("local-time"),
      "LocalTimeParameters/1",
      "LocalTimeParameters",
      [],
      zone,
      `      <LocalTimeParameters xmlns="${ESPI}">\n        <dstEndRule>${ltp.end}</dstEndRule>\n        <dstOffset>${ltp.dstOffset}</dstOffset>\n        <dstStartRule>${ltp.start}</dstStartRule>\n        <tzOffset>${ltp.tzOffset}</tzOffset>\n      </LocalTimeParameters>`,
      updated,
    ),
  ];
  for (const minutes of lengths) {
    const mr = `${up}/MeterReading/${minutes}`;
    const rt = `ReadingType/${minutes}`;
    out.push(
      entry(
        name(`mr-${minutes}`),
        mr,
        `${up}/MeterReading`,
        [`${mr}/IntervalBlock`, rt],
        minutes === 1440 ? "Daily energy delivered" : `${minutes}-minute energy delivered`,
        `      <MeterReading xmlns="${ESPI}"/>`,
        updated,
      ),
      entry(
        name(`rt-${minutes}`),
        rt,
        "ReadingType",
        [],
        "Energy delivered (Wh)",
        [
          `      <ReadingType xmlns="${ESPI}">`,
          "        <accumulationBehaviour>4</accumulationBehaviour>",
          "        <commodity>1</commodity>",
          "        <dataQualifier>12</dataQualifier>",
          "        <flowDirection>1</flowDirection>",
          `        <intervalLength>${minutes * 60}</intervalLength>`,
          "        <kind>12</kind>",
          "        <phase>769</phase>",
          "        <powerOfTenMultiplier>0</powerOfTenMultiplier>",
          "        <timeAttribute>0</timeAttribute>",
          "        <uom>72</uom>",
          "      </ReadingType>",
        ].join("\n"),
        updated,
      ),
    );
    for (const d of days.filter((x) => x.minutes === minutes)) {
      const day = parseIsoDate(d.day)!;
      const start = cal.startOf(day);
      const length = cal.startOf(day + 1) - start;
      const slot = minutes === 1440 ? length : minutes * 60_000;
      const readings: string[] = [];
      d.wh.forEach((v, i) => {
        if (v === null) return;
        readings.push(
          `        <IntervalReading>\n          <timePeriod>\n            <duration>${slot / 1000}</duration>\n            <start>${(start + i * slot) / 1000}</start>\n          </timePeriod>\n          <value>${v}</value>\n        </IntervalReading>`,
        );
      });
      if (readings.length === 0) continue;
      out.push(
        entry(
          name(`block-${minutes}-${d.day}`),
          `${mr}/IntervalBlock/${d.day}`,
          `${mr}/IntervalBlock`,
          [],
          d.day,
          [
            `      <IntervalBlock xmlns="${ESPI}">`,
            `        <interval>\n          <duration>${length / 1000}</duration>\n          <start>${start / 1000}</start>\n        </interval>`,
            ...readings,
            "      </IntervalBlock>",
          ].join("\n"),
          updated,
        ),
      );
    }
  }
  out.push("</feed>", "");
  return out.join("\n");
}

/** A meter's intervals over local days from..to (inclusive) as a Green Button (ESPI) file. */
export async function exportGreenButton(ctx: Ctx, meterNumber: string, from: string, to: string): Promise<string> {
  checkRange(from, to);
  const meter = await requireMeterByNumber(ctx, meterNumber);
  const days = await loadDays(ctx, meter.id, from, to);
  return greenButtonXml(meter.meterNumber, days, ctx.clock.timezone, from, to, ctx.clock.now().toString());
}
