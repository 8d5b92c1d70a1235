import type { SchemaElement } from 'hyparquet-writer';
import type { CsvColumn, CsvColumnType } from '@tcpinfo/parse';

/**
 * The Parquet type of each CSV column, from the column table's own type
 * (@tcpinfo/parse `CsvColumn.type`): the columns themselves (which, in what
 * order, what value a row holds in them) are the CSV schema's, so a Parquet
 * file holds the same rows and columns as the CSV of the same input.
 *
 * Kinds:
 * - `u8` … `u64`: an unsigned integer of the kernel's width (every tcp_info,
 *   inet_diag and meminfo field is unsigned in the kernel's headers). The
 *   original prints some as signed (`i32`, `i64`: the 64-bit tcp_info
 *   counters, SegsIn, SegsOut): such a value is taken modulo 2^width, the
 *   kernel's value (the CSV's -1 for an unlimited MaxPacingRate is
 *   18446744073709551615 here).
 * - `hex64`: a u64 the CSV prints in hexadecimal (the socket cookie).
 * - `timestamp`: TIMESTAMP(NANOS, UTC) from the RFC 3339 text.
 * - `string`: UTF-8 text as printed (addresses, names, lists).
 * An empty value (an absent attribute) is NULL in every kind.
 */
export type ParquetKind = 'u8' | 'u16' | 'u32' | 'u64' | 'hex64' | 'timestamp' | 'string';

/** One Parquet column: its (unique) name, the CSV column it comes from, and its kind. */
export interface ParquetColumn {
  /** The column's name in the file: the CSV name, suffixed `_2`, `_3` … when the CSV repeats it. */
  readonly name: string;
  /** The CSV header's name. */
  readonly csvName: string;
  readonly kind: ParquetKind;
}

const KIND_OF_TYPE: Readonly<Record<CsvColumnType, ParquetKind>> = {
  timestamp: 'timestamp',
  u8: 'u8',
  u16: 'u16',
  u32: 'u32',
  i32: 'u32',
  u64: 'u64',
  i64: 'u64',
  hex64: 'hex64',
  string: 'string',
};

/** The Parquet kind of a CSV column. */
export function parquetKindOf(column: Pick<CsvColumn, 'type'>): ParquetKind {
  return KIND_OF_TYPE[column.type];
}

/** The Parquet columns of CSV columns, in their order, repeated names suffixed (`TCP.LastDataRecv_2`). */
export function parquetColumns(columns: readonly CsvColumn[]): ParquetColumn[] {
  const seen = new Map<string, number>();
  const taken = new Set(columns.map((c) => c.name));
  return columns.map((column) => {
    const csvName = column.name;
    const n = (seen.get(csvName) ?? 0) + 1;
    seen.set(csvName, n);
    let name = csvName;
    if (n > 1) {
      let k = n;
      while (taken.has(`${csvName}_${k}`)) k++;
      name = `${csvName}_${k}`;
      taken.add(name);
    }
    return { name, csvName, kind: parquetKindOf(column) };
  });
}

/**
 * The Parquet schema element of a column: every column is OPTIONAL (an empty
 * value is NULL). Unsigned integers carry the converted type (UINT_8 …
 * UINT_64), which every reader maps to INTEGER(width, unsigned); not the
 * logical type as well, because hyparquet-writer 0.17 writes its bitWidth as
 * a thrift i32 where the format says i8, and DuckDB then rejects the footer.
 */
export function schemaElement(c: ParquetColumn): SchemaElement {
  const base = { name: c.name, repetition_type: 'OPTIONAL' } as const;
  switch (c.kind) {
    case 'timestamp':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'u64':
    case 'hex64':
      return { ...base, type: 'INT64', converted_type: 'UINT_64' };
    case 'u32':
      return { ...base, type: 'INT32', converted_type: 'UINT_32' };
    case 'u16':
      return { ...base, type: 'INT32', converted_type: 'UINT_16' };
    case 'u8':
      return { ...base, type: 'INT32', converted_type: 'UINT_8' };
  }
}
