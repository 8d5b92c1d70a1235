import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { decompress } from 'zstd-napi';

/** A Parquet file as DuckDB (an independent reader) sees it: column names and types, rows in file order. */
export interface DuckTable {
  readonly names: string[];
  readonly types: string[];
  readonly rows: unknown[][];
}

let instance: Promise<DuckDBInstance> | undefined;

/** Runs a query on an in-memory DuckDB (one per test process). */
export async function duck(sql: string): Promise<DuckTable> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await (await instance).connect();
  try {
    const r = await connection.runAndReadAll(sql);
    return { names: r.columnNames(), types: r.columnTypes().map(String), rows: r.getRows() as unknown[][] };
  } finally {
    connection.closeSync();
  }
}

/** Every row of a Parquet file, in order (one thread: DuckDB keeps the file's order). */
export function readParquet(path: string): Promise<DuckTable> {
  return duck(`SELECT * FROM read_parquet('${path.replace(/'/g, "''")}')`);
}

/**
 * The raw INT64 of the Timestamp column through hyparquet's reader: DuckDB
 * reads TIMESTAMP(NANOS, UTC) as TIMESTAMPTZ, which holds microseconds.
 */
export async function timestampNanos(path: string): Promise<(bigint | null)[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const rows = (await parquetReadObjects({ file, columns: ['Timestamp'],
    compressors: { ZSTD: (input: Uint8Array) => new Uint8Array(decompress(input)) },
    parsers: { timestampFromNanoseconds: (n: bigint) => n } })) as {
    Timestamp: bigint | null | undefined;
  }[];
  return rows.map((r) => r.Timestamp ?? null);
}
