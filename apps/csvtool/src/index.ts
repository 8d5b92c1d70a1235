export * from './convert.js';
export * from './progress.js';
// The CSV schema and writers live in @tcpinfo/parse (toCsv); re-exported for this package's former users.
export {
  snapshotToJson, ORIGINAL_COLUMN_NAMES, ORIGINAL_COLUMNS, EXTRA_COLUMNS, KEY_COLUMNS, CSV_COLUMNS, csvColumns, csvField, toCsv,
  ByteOutput, RecordSlots, LineConverter, CanonicalLineScanner, writeOriginalRow,
  type Column, type CsvColumn,
} from '@tcpinfo/parse';
export * from './parquet-schema.js';
export * from './parquet-output.js';
export * from './parquet-batch.js';
export * from './inputs.js';
export * from './run.js';
