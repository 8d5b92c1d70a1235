import { decodeBase64 } from './base64.js';
import { NetlinkParseError } from './errors.js';
import { GoTime } from './go-time.js';

/** Limits applied when reading JSONL records (protection against hostile input). */
export interface RecordParseOptions {
  /** Longest accepted line, in characters (bytes for binary input). Default {@link DEFAULT_MAX_LINE_LENGTH}. */
  readonly maxLineLength?: number;
  /** Longest accepted `Attributes` array. Default {@link DEFAULT_MAX_ATTRIBUTES}. */
  readonly maxAttributes?: number;
  /** Longest accepted decoded `RawIDM` or attribute value, in bytes. Default {@link DEFAULT_MAX_ATTRIBUTE_LENGTH}. */
  readonly maxAttributeLength?: number;
}

/** Default line limit: 1 MiB, far above any real record (about 1 kB) yet bounded. */
export const DEFAULT_MAX_LINE_LENGTH = 1 << 20;
/** Default attribute array limit: the original writes at most 39 entries. */
export const DEFAULT_MAX_ATTRIBUTES = 64;
/** Default value limit: an rtattr's u16 length minus its 4-byte header. */
export const DEFAULT_MAX_ATTRIBUTE_LENGTH = 0xffff - 4;

/** The connection metadata of a file's header record. Field names are the JSON keys. */
export interface Metadata {
  /** The connection's UUID (`<prefix>_<cookie in 16 upper-case hex digits>`). */
  readonly UUID: string;
  /** Number of the file within the connection (0 for the first). */
  readonly Sequence: number;
  /** When the connection was first seen. */
  readonly StartTime: GoTime;
}

/** The fields of a record as read from one JSON line. */
export interface ParsedRecordFields {
  /** `Timestamp` (the zero time when absent or null), with the offset it was written with. */
  readonly timestamp: GoTime;
  /** Decoded `RawIDM` (a new buffer), undefined when absent or null. */
  readonly rawIdm: Uint8Array | undefined;
  /** Decoded `Attributes` (`null` entries kept), undefined when absent or null. */
  readonly attributes: (Uint8Array | null)[] | undefined;
  /** `Metadata`, undefined when absent or null. */
  readonly metadata: Metadata | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads one JSONL line as Go's `json.Unmarshal` reads it into the original's
 * ArchivalRecord: keys match case-insensitively, unknown keys are ignored, `null`
 * leaves a field at its zero value (so the line `null` is the zero record).
 * Throws {@link NetlinkParseError}: `LINE_TOO_LONG`, `BAD_JSON`, `BAD_RECORD` (wrong
 * types), `BAD_BASE64`, `BAD_TIMESTAMP`, `TOO_MANY_ATTRIBUTES`, `ATTRIBUTE_TOO_LONG`.
 */
export function parseRecordFields(line: string | Uint8Array, options: RecordParseOptions = {}): ParsedRecordFields {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (line.length > maxLineLength) {
    throw new NetlinkParseError('LINE_TOO_LONG', `line of ${line.length} exceeds the limit of ${maxLineLength}`);
  }
  // Invalid UTF-8 becomes U+FFFD, as Go's decoder does.
  const text = typeof line === 'string' ? line : utf8.decode(line);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new NetlinkParseError('BAD_JSON', `not JSON: ${(err as Error).message}`);
  }
  let timestamp = GoTime.ZERO;
  let rawIdm: Uint8Array | undefined;
  let attributes: (Uint8Array | null)[] | undefined;
  let metadata: Metadata | undefined;
  if (value !== null) {
    for (const [key, field] of Object.entries(asObject(value, 'record'))) {
      switch (key.toLowerCase()) {
        case 'timestamp':
          timestamp = readTime(field, 'Timestamp');
          break;
        case 'rawidm':
          rawIdm = field === null ? undefined : readBytes(field, 'RawIDM', options);
          break;
        case 'attributes':
          attributes = field === null ? undefined : readAttributes(field, options);
          break;
        case 'metadata':
          metadata = field === null ? undefined : readMetadata(field);
          break;
        default:
        // Unknown keys are ignored, as Go does.
      }
    }
  }
  return { timestamp, rawIdm, attributes, metadata };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NetlinkParseError('BAD_RECORD', `${what} must be a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function readTime(value: unknown, what: string): GoTime {
  if (value === null) return GoTime.ZERO;
  if (typeof value !== 'string') throw new NetlinkParseError('BAD_RECORD', `${what} must be a string, got ${describe(value)}`);
  return GoTime.parse(value);
}

function readBytes(value: unknown, what: string, options: RecordParseOptions): Uint8Array {
  if (typeof value !== 'string') throw new NetlinkParseError('BAD_RECORD', `${what} must be a base64 string, got ${describe(value)}`);
  const max = options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
  // The line limit already bounds the work; the exact check needs the decoded length.
  const bytes = decodeBase64(value);
  if (bytes.length > max) throw new NetlinkParseError('ATTRIBUTE_TOO_LONG', `${what} of ${bytes.length} bytes exceeds ${max}`);
  return bytes;
}

function readAttributes(value: unknown, options: RecordParseOptions): (Uint8Array | null)[] {
  if (!Array.isArray(value)) throw new NetlinkParseError('BAD_RECORD', `Attributes must be an array, got ${describe(value)}`);
  const max = options.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES;
  if (value.length > max) {
    throw new NetlinkParseError('TOO_MANY_ATTRIBUTES', `${value.length} attributes exceed the limit of ${max}`);
  }
  return value.map((item: unknown, type) => (item === null ? null : readBytes(item, `Attributes[${type}]`, options)));
}

function readMetadata(value: unknown): Metadata {
  let UUID = '';
  let Sequence = 0;
  let StartTime = GoTime.ZERO;
  for (const [key, field] of Object.entries(asObject(value, 'Metadata'))) {
    switch (key.toLowerCase()) {
      case 'uuid':
        if (field === null) break;
        if (typeof field !== 'string') throw new NetlinkParseError('BAD_RECORD', `Metadata.UUID must be a string, got ${describe(field)}`);
        UUID = field;
        break;
      case 'sequence':
        if (field === null) break;
        if (typeof field !== 'number' || !Number.isSafeInteger(field)) {
          throw new NetlinkParseError('BAD_RECORD', `Metadata.Sequence must be an integer, got ${describe(field)}`);
        }
        Sequence = field;
        break;
      case 'starttime':
        StartTime = readTime(field, 'Metadata.StartTime');
        break;
      default:
    }
  }
  return { UUID, Sequence, StartTime };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 32)}`;
}
