/** Public surface of the events module: decode records and normalise them into canonical events. */

export type { CanonicalEvent, ShipperFormat } from './canonical-event.js';
export { DNS_CLIENT_CHANNEL, hostKey, SYSMON_CHANNEL } from './canonical-event.js';
export { BINARY_LAYERS, type BinaryLayer } from './decode/binary/index.js';
export { binaryLayer } from './decode/binary-layers.js';
export { DOCUMENT_SYNTAXES, type DocumentSyntaxReader } from './decode/documents/index.js';
export { type JsonPiece, splitJsonText } from './decode/json-text.js';
export { type ByteText, textFromBytes } from './decode/text-from-bytes.js';
export { ENCODERS, type EventEncoder, encodeEvent } from './encode/index.js';
export { ENVELOPES, type Envelope } from './envelopes/index.js';
export { parseSysmonUtcTime, parseTime } from './event-time.js';
export type { DnsFilterPattern, DocumentSyntax, Normalised, ShipperFormatModule } from './formats/index.js';
export { FORMATS, normaliseDocument, registryDnsFilterPatterns } from './formats/index.js';
export { MAX_LAYERS, type RecordOutcome, readRecord } from './read-record.js';
export { DNS_CLIENT_3008_FIELDS, namePositional, SYSMON_FIELDS, schemaFields } from './schemas.js';
