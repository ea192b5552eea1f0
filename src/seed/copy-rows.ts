/** A value in a row: written as PostgreSQL's COPY text format writes it (null as \N, booleans as t and f). */
export type Value = string | number | bigint | boolean | null | undefined;

const TAB = 9;
const NEWLINE = 10;
const BACKSLASH = 92;
const ROW_ROOM = 4096;
// The escapes COPY text format needs, by ASCII code (0: none): backslash, tab, newline, carriage return.
const ESCAPE = new Uint8Array(128);
ESCAPE[92] = 92;
ESCAPE[9] = 116;
ESCAPE[10] = 110;
ESCAPE[13] = 114;

/**
 * Rows of one table in COPY text format, accumulated for one chunk straight into a growing byte buffer. A chunk
 * holds millions of values; kept as strings until the load, they all survive the young generation and the garbage
 * collector spends more time copying them than the seed spends making them. Bytes in a buffer live off the heap.
 */
export class CopyRows {
  private buf = Buffer.allocUnsafe(1 << 16);
  private at = 0;
  private rows = 0;

  add(...values: Value[]) {
    // Room for a row at once (every seeded row is well under this; longer text makes more room itself).
    this.room(ROW_ROOM);
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.buf[this.at++] = TAB;
      this.value(values[i]);
    }
    this.room(1);
    this.buf[this.at++] = NEWLINE;
    this.rows++;
  }

  get count() {
    return this.rows;
  }

  /** The rows so far (a view of the buffer, valid until the next add). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  private byte(b: number) {
    this.room(1);
    this.buf[this.at++] = b;
  }

  private value(v: Value) {
    if (v === null || v === undefined) {
      this.room(2);
      this.buf[this.at++] = BACKSLASH;
      this.buf[this.at++] = 78; // N
    } else if (typeof v === "string") this.text(v);
    else if (typeof v === "number" && Number.isSafeInteger(v)) this.integer(v);
    else if (typeof v === "boolean") this.byte(v ? 116 : 102);
    else this.text(String(v));
  }

  private integer(v: number) {
    this.room(17);
    const buf = this.buf;
    if (v < 0) {
      buf[this.at++] = 45; // -
      v = -v;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let end = this.at + digits;
    this.at = end;
    do {
      buf[--end] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }

  private text(s: string) {
    const n = s.length;
    // Escaped ASCII takes at most two bytes a character, and UTF-8 at most three per UTF-16 unit.
    if (this.at + n * 3 > this.buf.length) this.room(n * 3);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        // Non-ASCII text (a name with an accent): escape the rest as a string and let the encoder write it.
        this.at = at;
        const rest = s.slice(i).replace(/[\\\t\n\r]/g, (ch) => `\\${String.fromCharCode(ESCAPE[ch.charCodeAt(0)]!)}`);
        this.room(rest.length * 3);
        this.at += this.buf.write(rest, this.at, "utf8");
        return;
      }
      const escaped = ESCAPE[c]!;
      if (escaped !== 0) {
        buf[at++] = BACKSLASH;
        buf[at++] = escaped;
      } else buf[at++] = c;
    }
    this.at = at;
  }
}
