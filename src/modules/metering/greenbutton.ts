import { XMLParser, XMLValidator } from "fast-xml-parser";

// Green Button (NAESB ESPI) files in: an Atom feed whose entries are UsagePoints, MeterReadings, ReadingTypes and
// IntervalBlocks, tied together by their links (a MeterReading's "up" is its usage point's MeterReading list, its
// "related" names its ReadingType; an IntervalBlock's "up" is its MeterReading's IntervalBlock list). Entries come
// in any order (a ReadingType often after the blocks it describes) and entry ids are not unique in real files, so
// everything is matched by the links' paths. Times are UTC epoch seconds; the file's LocalTimeParameters only
// describe the customer's clock and are not needed to place a reading.

/** A malformed file: `where` names the line and element. */
export class GreenButtonError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}

export interface GbReadingType {
  href: string;
  /** Unit of measure (ESPI UnitSymbolKind): 72 = Wh. */
  uom: number;
  powerOfTenMultiplier: number;
  /** Seconds, when given. */
  intervalLength: number | null;
  /** 4 = deltaData (each reading the energy of its interval); 1 bulk, 3 cumulative, 9 summation. */
  accumulationBehaviour: number | null;
  /** 1 = forward (delivered to the customer), 19 = reverse (received from the customer). */
  flowDirection: number | null;
  /** 12 = energy. */
  kind: number | null;
}

export interface GbReading {
  startS: number;
  durationS: number;
  value: number;
  line: number;
}

export interface GbMeterReading {
  href: string;
  title: string | null;
  line: number;
  readingType: GbReadingType;
  readings: GbReading[];
}

export interface GbUsagePoint {
  /** The last segment of its link (RetailCustomer/9b6c7063/UsagePoint/01 -> "01"). */
  id: string;
  href: string;
  title: string | null;
  /** ServiceCategory kind: 0 = electricity, 1 gas, 2 water, ...; null when the file does not say. */
  serviceKind: number | null;
  meterReadings: GbMeterReading[];
}

const ARRAYS = new Set(["entry", "link", "IntervalBlock", "IntervalReading"]);
type Node = Record<string, unknown>;

/** A link's path without scheme, host, query and the service's prefix up to ".../resource/". */
export function linkPath(href: string): string {
  let p = href.trim().replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  p = p.replace(/[?#].*$/, "").replace(/^\/+|\/+$/g, "");
  const at = p.lastIndexOf("resource/");
  return at >= 0 ? p.slice(at + "resource/".length) : p;
}

/** The path up to (not including) the last "/<segment>/..." that starts with `segment`. */
const before = (path: string, segment: string) => {
  const at = path.lastIndexOf(`/${segment}`);
  return at >= 0 ? path.slice(0, at) : null;
};

function lineIndex(text: string) {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Parses a Green Button file into its usage points, each with its MeterReadings, ReadingType and readings. */
export function parseGreenButton(text: string): GbUsagePoint[] {
  const body = text.replace(/^\uFEFF/, "");
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) {
    const line = body.slice(0, body.search(/<!DOCTYPE|<!ENTITY/i)).split("\n").length;
    throw new GreenButtonError(`line ${line}`, "a DOCTYPE or ENTITY declaration is not allowed in a Green Button file");
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw new GreenButtonError(
      `line ${valid.err.line}, column ${valid.err.col}`,
      `not well-formed XML: ${valid.err.msg}`,
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    captureMetaData: true,
    processEntities: true,
    htmlEntities: false,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAYS.has(name),
  });
  const meta = XMLParser.getMetaDataSymbol() as unknown as symbol;
  const lineOf = lineIndex(body);
  const doc = parser.parse(body) as Node;
  const rootName = Object.keys(doc).find((k) => !k.startsWith("?") && !k.startsWith("#"));
  if (rootName !== "feed") {
    throw new GreenButtonError(
      "line 1",
      `the root element is <${rootName ?? "nothing"}>: a Green Button file is an Atom <feed> of entries`,
    );
  }
  const feed = doc.feed as Node;
  const at = (node: unknown, fallback: number): number => {
    const m = node && typeof node === "object" ? (node as Record<symbol, { startIndex?: number }>)[meta] : undefined;
    return m?.startIndex !== undefined ? lineOf(m.startIndex) : fallback;
  };
  const textOf = (v: unknown): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === "string") return v.trim();
    if (typeof v === "object" && "#text" in (v as Node)) return String((v as Node)["#text"]).trim();
    return null;
  };
  const int = (v: unknown, where: string, what: string, required: boolean): number | null => {
    const s = textOf(v);
    if (s === null || s === "") {
      if (required) throw new GreenButtonError(where, `${what} is missing`);
      return null;
    }
    if (!/^[+-]?\d{1,18}$/.test(s)) throw new GreenButtonError(where, `${what} "${s}" is not an integer`);
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new GreenButtonError(where, `${what} ${s} is too large`);
    return n;
  };

  const entries = (feed.entry as Node[] | undefined) ?? [];
  const usagePoints = new Map<string, GbUsagePoint>();
  const meterReadings = new Map<
    string,
    { href: string; title: string | null; line: number; up: string; rt: string | null }
  >();
  const readingTypes = new Map<string, GbReadingType>();
  const blocks: { mr: string; line: number; block: Node }[] = [];

  for (const entry of entries) {
    const line = at(entry, 1);
    if (typeof entry !== "object" || entry === null) continue;
    const links = ((entry.link as Node[] | undefined) ?? []).map((l) => ({
      rel: String(l["@_rel"] ?? "alternate"),
      href: linkPath(String(l["@_href"] ?? "")),
    }));
    const self = links.find((l) => l.rel === "self")?.href ?? null;
    const up = links.find((l) => l.rel === "up")?.href ?? null;
    const title = textOf(entry.title);
    const content = entry.content as Node | undefined;
    if (!content || typeof content !== "object") continue;
    const where = (what: string, node?: unknown) => `line ${at(node, line)} (${what})`;

    if ("UsagePoint" in content) {
      if (!self) throw new GreenButtonError(where("UsagePoint entry"), "the entry has no self link");
      const up0 = content.UsagePoint as Node;
      const category = typeof up0 === "object" ? (up0.ServiceCategory as Node | undefined) : undefined;
      const kind = category
        ? int(category.kind, where("ServiceCategory", category), "ServiceCategory kind", false)
        : null;
      usagePoints.set(self, {
        id: self.split("/").pop()!,
        href: self,
        title,
        serviceKind: kind,
        meterReadings: [],
      });
    } else if ("MeterReading" in content) {
      if (!self) throw new GreenButtonError(where("MeterReading entry"), "the entry has no self link");
      const upPath = (up ? before(up, "MeterReading") : null) ?? before(self, "MeterReading");
      if (!upPath) throw new GreenButtonError(where("MeterReading entry"), `cannot tell the usage point of ${self}`);
      const rt = links.find((l) => l.rel === "related" && /(^|\/)ReadingType\//.test(l.href));
      meterReadings.set(self, {
        href: self,
        title,
        line,
        up: upPath,
        rt: rt ? rt.href.slice(rt.href.lastIndexOf("ReadingType/")) : null,
      });
    } else if ("ReadingType" in content) {
      if (!self) throw new GreenButtonError(where("ReadingType entry"), "the entry has no self link");
      const rt = content.ReadingType as Node;
      const w = where("ReadingType", rt);
      if (typeof rt !== "object") throw new GreenButtonError(w, "the ReadingType is empty");
      const uom = int(rt.uom, w, "uom", true)!;
      readingTypes.set(self.slice(self.lastIndexOf("ReadingType/")), {
        href: self,
        uom,
        powerOfTenMultiplier: int(rt.powerOfTenMultiplier, w, "powerOfTenMultiplier", false) ?? 0,
        intervalLength: int(rt.intervalLength, w, "intervalLength", false),
        accumulationBehaviour: int(rt.accumulationBehaviour, w, "accumulationBehaviour", false),
        flowDirection: int(rt.flowDirection, w, "flowDirection", false),
        kind: int(rt.kind, w, "kind", false),
      });
    } else if ("IntervalBlock" in content) {
      const mr = (up ? before(up, "IntervalBlock") : null) ?? (self ? before(self, "IntervalBlock") : null);
      if (!mr)
        throw new GreenButtonError(
          where("IntervalBlock entry"),
          "the entry has no up or self link naming its MeterReading",
        );
      for (const block of content.IntervalBlock as Node[]) blocks.push({ mr, line, block });
    }
  }

  for (const b of blocks) {
    const mr = meterReadings.get(b.mr);
    if (!mr) {
      throw new GreenButtonError(
        `line ${at(b.block, b.line)} (IntervalBlock)`,
        `its MeterReading ${b.mr} is not in the file`,
      );
    }
  }
  const readingsOf = new Map<string, GbReading[]>();
  for (const b of blocks) {
    const list = readingsOf.get(b.mr) ?? [];
    readingsOf.set(b.mr, list);
    const block = typeof b.block === "object" ? b.block : {};
    for (const r of (block.IntervalReading as unknown[] | undefined) ?? []) {
      const line = at(r, at(b.block, b.line));
      const w = `line ${line} (IntervalReading)`;
      if (typeof r !== "object" || r === null) throw new GreenButtonError(w, "the IntervalReading is empty");
      const node = r as Node;
      const tp = node.timePeriod as Node | undefined;
      if (!tp || typeof tp !== "object") throw new GreenButtonError(w, "timePeriod is missing");
      const startS = int(tp.start, w, "timePeriod start", true)!;
      const durationS = int(tp.duration, w, "timePeriod duration", true)!;
      const value = int(node.value, w, "value", true)!;
      list.push({ startS, durationS, value, line });
    }
  }

  for (const mr of meterReadings.values()) {
    const readings = readingsOf.get(mr.href) ?? [];
    if (readings.length === 0) continue;
    if (!mr.rt) {
      throw new GreenButtonError(
        `line ${mr.line} (MeterReading ${mr.href})`,
        "it names no ReadingType (a related link)",
      );
    }
    const readingType = readingTypes.get(mr.rt);
    if (!readingType) {
      throw new GreenButtonError(`line ${mr.line} (MeterReading ${mr.href})`, `its ${mr.rt} is not in the file`);
    }
    let point = usagePoints.get(mr.up);
    if (!point) {
      point = { id: mr.up.split("/").pop()!, href: mr.up, title: null, serviceKind: null, meterReadings: [] };
      usagePoints.set(mr.up, point);
    }
    point.meterReadings.push({ href: mr.href, title: mr.title, line: mr.line, readingType, readings });
  }
  const withData = [...usagePoints.values()].filter((p) => p.meterReadings.length > 0);
  if (withData.length === 0) {
    throw new GreenButtonError("line 1 (feed)", "the file holds no IntervalBlock readings of any MeterReading");
  }
  return withData;
}
