import { IDM_FIELD, type RecordSlots, type SlotField } from '@tcpinfo/parse';
import { fieldNumber, fieldWords } from './parquet-typed.js';

/**
 * The int columns of a column list (those one int field of the record's
 * bytes: ~100 of the original's 105), read attribute by attribute: where an
 * attribute's value lies (or that it is absent) is looked up once per row,
 * not once per field, and its fields are copied in runs of one read kind
 * (u32 words, bytes, …) from offsets computed here once. Per field this is a
 * word load and a typed-array store; the per-field path (parquet-typed.ts
 * fieldNumber/fieldWords: the field's attribute, length check, width and
 * alignment, decided per value) was ~20% of --format=parquet's CPU.
 *
 * The per-field readers stay the reference: a value whose attribute does not
 * start on a 4-byte boundary (never, in RecordSlots) goes through them, and
 * parquet-typed.test.ts holds the builder using these groups to the columns'
 * getters for every row of the sample files and for random records.
 */

type IntField = Extract<SlotField, { kind: 'int' }>;

/** How a field is read; fields of one group are sorted by this, so each kind is a run. */
const enum Read {
  U8,
  U16LE,
  U16BE,
  /** A little-endian u32 at a 4-byte-aligned offset (most fields): one word load. */
  U32,
  U32BE,
  /** A 64-bit field at a 4-byte-aligned offset: its two words. */
  Words,
  /** Anything else (a 4- or 8-byte field off the word grid): the per-field reader. */
  Other,
}
const READ_KINDS = Read.Other + 1;

function readOf(f: IntField): Read {
  const aligned = (f.offset & 3) === 0;
  switch (f.width) {
    case 1:
      return Read.U8;
    case 2:
      return f.bigEndian ? Read.U16BE : Read.U16LE;
    case 4:
      return !aligned ? Read.Other : f.bigEndian ? Read.U32BE : Read.U32;
    default:
      return aligned && !f.bigEndian ? Read.Words : Read.Other;
  }
}

/** What makes fields one group: the same attribute, the same presence rule. */
const groupKey = (f: IntField): string => `${f.attr}/${f.exactLength}/${f.absent}`;

/** One int column: its index in the column list and its field. */
export interface IntColumn {
  readonly index: number;
  readonly field: IntField;
}

/** The columns' typed arrays a row is written to, by column index (a placeholder where the column is of another kind). */
export interface IntTargets {
  /** The u32 columns' values (INT32: u8, u16, u32 as their 32 bits). */
  readonly numbers: readonly Uint32Array[];
  readonly words: readonly Uint32Array[];
  readonly nulls: readonly Uint8Array[];
}

export class IntFieldGroups {
  /** Per group: the attribute (or IDM_FIELD), the exact length asked (-1: any), whether absent is 0. */
  readonly #attr: Int32Array;
  readonly #exactLength: Int32Array;
  readonly #absentZero: Uint8Array;
  /** Per group and read kind: where its run of fields begins; `#runs[g * READ_KINDS + k]`, then the next group's. */
  readonly #runs: Int32Array;
  /** Per field, in group and run order: its column index and its byte offset in the attribute's value (a word offset for U32 and Words). */
  readonly #column: Int32Array;
  readonly #offset: Int32Array;
  readonly #fields: IntField[];

  constructor(columns: readonly IntColumn[]) {
    const groups = new Map<string, IntColumn[]>();
    for (const c of columns) {
      const key = groupKey(c.field);
      const list = groups.get(key) ?? [];
      list.push(c);
      groups.set(key, list);
    }
    const n = groups.size;
    this.#attr = new Int32Array(n);
    this.#exactLength = new Int32Array(n);
    this.#absentZero = new Uint8Array(n);
    this.#runs = new Int32Array(n * READ_KINDS + 1);
    this.#column = new Int32Array(columns.length);
    this.#offset = new Int32Array(columns.length);
    this.#fields = [];
    let g = 0;
    for (const list of groups.values()) {
      const f0 = list[0]!.field;
      this.#attr[g] = f0.attr;
      this.#exactLength[g] = f0.exactLength;
      this.#absentZero[g] = f0.absent === 'zero' ? 1 : 0;
      for (let k = 0; k < READ_KINDS; k++) {
        this.#runs[g * READ_KINDS + k] = this.#fields.length;
        for (const c of list) {
          if (readOf(c.field) !== k) continue;
          const j = this.#fields.length;
          this.#column[j] = c.index;
          this.#offset[j] = k === Read.U32 || k === Read.Words ? c.field.offset >>> 2 : c.field.offset;
          this.#fields.push(c.field);
        }
      }
      g++;
    }
    this.#runs[n * READ_KINDS] = this.#fields.length;
  }

  /** Writes row `r` of every int column from the record's bytes (host little-endian: the caller checks TYPED_FIELDS). */
  put(s: RecordSlots, t: IntTargets, r: number): void {
    const groups = this.#attr.length;
    for (let g = 0; g < groups; g++) {
      const attr = this.#attr[g]!;
      let base: number;
      if (attr === IDM_FIELD) base = s.idmAt;
      else {
        base = attr < s.count ? s.start[attr]! : -1;
        const exact = this.#exactLength[g]!;
        if (base >= 0 && exact >= 0 && s.length[attr] !== exact) base = -1;
      }
      const runs = g * READ_KINDS;
      if (base < 0) this.#putAbsent(t, r, this.#runs[runs]!, this.#runs[runs + READ_KINDS]!, this.#absentZero[g] === 1);
      else if ((base & 3) !== 0) this.#putByField(s, t, r, this.#runs[runs]!, this.#runs[runs + READ_KINDS]!);
      else this.#putPresent(s, t, r, base, runs);
    }
  }

  #putPresent(s: RecordSlots, t: IntTargets, r: number, base: number, runs: number): void {
    const R = this.#runs;
    const col = this.#column;
    const off = this.#offset;
    const numbers = t.numbers;
    const b = s.bytes;
    const u32 = s.u32;
    const w = base >>> 2;
    // Run k of the group is [R[runs + k], R[runs + k + 1]).
    let j = R[runs + Read.U8]!;
    for (const end = R[runs + Read.U8 + 1]!; j < end; j++) numbers[col[j]!]![r] = b[base + off[j]!]!;
    for (const end = R[runs + Read.U16LE + 1]!; j < end; j++) {
      const a = base + off[j]!;
      numbers[col[j]!]![r] = b[a]! | (b[a + 1]! << 8);
    }
    for (const end = R[runs + Read.U16BE + 1]!; j < end; j++) {
      const a = base + off[j]!;
      numbers[col[j]!]![r] = (b[a]! << 8) | b[a + 1]!;
    }
    for (const end = R[runs + Read.U32 + 1]!; j < end; j++) numbers[col[j]!]![r] = u32[w + off[j]!]!;
    for (const end = R[runs + Read.U32BE + 1]!; j < end; j++) numbers[col[j]!]![r] = b.readUInt32BE(base + off[j]!);
    const words = t.words;
    for (const end = R[runs + Read.Words + 1]!; j < end; j++) {
      const v = words[col[j]!]!;
      const i = w + off[j]!;
      v[2 * r] = u32[i]!;
      v[2 * r + 1] = u32[i + 1]!;
    }
    this.#putByField(s, t, r, j, R[runs + READ_KINDS]!);
  }

  /** Fields [from, to) by the per-field readers. */
  #putByField(s: RecordSlots, t: IntTargets, r: number, from: number, to: number): void {
    for (let j = from; j < to; j++) {
      const f = this.#fields[j]!;
      const c = this.#column[j]!;
      if (f.width === 8) {
        if (!fieldWords(s, f, t.words[c]!, r)) t.nulls[c]![r] = 1;
      } else {
        const v = fieldNumber(s, f);
        if (v === v) t.numbers[c]![r] = v;
        else t.nulls[c]![r] = 1; // NaN: absent
      }
    }
  }

  /** Fields [from, to) of an absent attribute: NULL, or 0 where the original prints 0 (slotFieldAt says absent for each). */
  #putAbsent(t: IntTargets, r: number, from: number, to: number, zero: boolean): void {
    for (let j = from; j < to; j++) {
      const f = this.#fields[j]!;
      const c = this.#column[j]!;
      // The value is 0 (the arrays' state: no 64-bit field is printed 0 when absent, but the rule is the field's) or NULL.
      if (zero) {
        if (f.width === 8) t.words[c]!.fill(0, 2 * r, 2 * r + 2);
        else t.numbers[c]![r] = 0;
      } else t.nulls[c]![r] = 1;
    }
  }
}

