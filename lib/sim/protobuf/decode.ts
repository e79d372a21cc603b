/**
 * Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), decoded to the JSON
 * objects the store keeps. kubectl 1.32's typed clients (kubectl create namespace/deployment/configmap/...,
 * auth can-i) send nothing else, so a server that cannot read them cannot be driven by kubectl.
 *
 * Wire format: the magic `k8s\0`, then a runtime.Unknown { typeMeta { apiVersion, kind }, raw } whose `raw`
 * is the object's message. Field numbers, JSON names and shapes come from schema.json (derived from the
 * upstream .proto and Go types; see README.md). Responses are always JSON, which these clients also accept.
 */
import { StatusError } from '../../errors';
import schemaJson from './schema.json';

type FieldType = string | [string, string];
/** [number, jsonName, type, flags?] — flags: 1 repeated, 2 inlined into the parent, 4 omitted when zero. */
type Field = [number, string, FieldType, number?];

const REPEATED = 1;
const INLINE = 2;
const OMIT_ZERO = 4;

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface MessageSchema {
  byNumber: Map<number, Field>;
}

const schemas = new Map<string, MessageSchema>();
for (const [name, fields] of Object.entries(schemaJson as unknown as Record<string, Field[]>)) {
  schemas.set(name, { byNumber: new Map(fields.map((f) => [f[0], f])) });
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw malformed('varint too long');
    }
  }

  bytes(length: number): Buffer {
    if (this.pos + length > this.buf.length) throw malformed('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.bytes(8);
        return;
      case 2:
        this.bytes(Number(this.varint()));
        return;
      case 5:
        this.bytes(4);
        return;
      default:
        throw malformed(`unsupported wire type ${wireType}`);
    }
  }
}

function malformed(why: string): StatusError {
  return new StatusError('BadRequest', `error decoding protobuf request body: ${why}`);
}

/** A scalar from its wire representation, as encoding/json would write the Go value. */
function scalar(type: string, wireType: number, reader: Reader): unknown {
  switch (type) {
    case 'string':
      return reader.bytes(Number(reader.varint())).toString('utf8');
    case 'bytes':
      return reader.bytes(Number(reader.varint())).toString('base64');
    case 'bool':
      return reader.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, reader.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, reader.varint()));
    case 'uint32':
    case 'uint64':
      return Number(reader.varint());
    case 'double':
      return wireType === 1 ? reader.bytes(8).readDoubleLE(0) : 0;
    case 'float':
      return wireType === 5 ? reader.bytes(4).readFloatLE(0) : 0;
    default:
      reader.skip(wireType);
      return undefined;
  }
}

function isZero(value: unknown): boolean {
  if (value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** RFC 3339 as metav1.Time (seconds) or metav1.MicroTime (microseconds) marshal. */
function timestamp(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.\d{3}Z$/, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`);
}

/** A Go time.Duration's String(), as metav1.Duration marshals: "1h2m3.5s", "500ms", "0s". */
function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let n = Math.abs(nanos);
  if (n < 1e9) {
    if (n < 1e3) return `${sign}${n}ns`;
    if (n < 1e6) return `${sign}${n / 1e3}µs`;
    return `${sign}${n / 1e6}ms`;
  }
  const hours = Math.floor(n / 3.6e12);
  n -= hours * 3.6e12;
  const minutes = Math.floor(n / 6e10);
  n -= minutes * 6e10;
  const seconds = `${n / 1e9}s`;
  return `${sign}${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${seconds}`;
}

/** Messages whose JSON is not an object of their fields. */
function special(name: string, obj: Record<string, unknown>): unknown {
  switch (name) {
    case 'apis.meta.v1.Time':
    case 'apis.meta.v1.MicroTime':
      // Go writes a zero time as an empty message; JSON has it as null.
      if (obj.seconds === undefined && obj.nanos === undefined) return null;
      return timestamp(Number(obj.seconds ?? 0), Number(obj.nanos ?? 0), name.endsWith('MicroTime'));
    case 'apis.meta.v1.Duration':
      return goDuration(Number(obj.duration ?? 0));
    case 'api.resource.Quantity':
      return obj.string ?? '0';
    case 'util.intstr.IntOrString':
      return Number(obj.type ?? 0) === 1 ? (obj.strVal ?? '') : (obj.intVal ?? 0);
    case 'runtime.RawExtension':
    case 'apis.meta.v1.FieldsV1': {
      const raw = (name === 'runtime.RawExtension' ? obj.raw : obj.Raw) as string | undefined;
      return raw === undefined ? {} : (JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown);
    }
    case 'apis.meta.v1.Verbs':
    case 'authentication.v1.ExtraValue':
    case 'authentication.v1.AttestationValue':
    case 'authorization.v1.ExtraValue':
    case 'certificates.v1.ExtraValue':
      return obj.items ?? [];
    default:
      return undefined;
  }
}

function message(name: string, buf: Buffer): unknown {
  const schema = schemas.get(name);
  if (schema === undefined) throw malformed(`no schema for ${name}`);
  const reader = new Reader(buf);
  const out: Record<string, unknown> = {};
  const inlined: Record<string, unknown>[] = [];
  while (!reader.done) {
    const key = Number(reader.varint());
    const number = key >>> 3;
    const wireType = key & 7;
    const field = schema.byNumber.get(number);
    if (field === undefined) {
      reader.skip(wireType);
      continue;
    }
    const [, jsonName, type, flags = 0] = field;
    if (Array.isArray(type)) {
      const entry = reader.bytes(Number(reader.varint()));
      const [k, v] = mapEntry(type, entry);
      const map = (out[jsonName] as Record<string, unknown> | undefined) ?? {};
      map[String(k)] = v;
      out[jsonName] = map;
      continue;
    }
    let value: unknown;
    if (schemas.has(type)) {
      value = message(type, reader.bytes(Number(reader.varint())));
    } else if (wireType === 2 && type !== 'string' && type !== 'bytes') {
      // A packed repeated scalar.
      const packed = new Reader(reader.bytes(Number(reader.varint())));
      const values: unknown[] = [];
      while (!packed.done) values.push(scalar(type, type === 'double' ? 1 : type === 'float' ? 5 : 0, packed));
      out[jsonName] = [...((out[jsonName] as unknown[] | undefined) ?? []), ...values];
      continue;
    } else {
      value = scalar(type, wireType, reader);
    }
    if (flags & INLINE) inlined.push(value as Record<string, unknown>);
    else if (flags & REPEATED) out[jsonName] = [...((out[jsonName] as unknown[] | undefined) ?? []), value];
    else out[jsonName] = value;
  }
  const asSpecial = special(name, out);
  if (asSpecial !== undefined) return asSpecial;
  for (const [, jsonName, , flags = 0] of schema.byNumber.values()) {
    if (flags & OMIT_ZERO && jsonName in out && isZero(out[jsonName])) delete out[jsonName];
  }
  return Object.assign(out, ...inlined);
}

function mapEntry(types: [string, string], buf: Buffer): [unknown, unknown] {
  const reader = new Reader(buf);
  let key: unknown = '';
  let value: unknown =
    types[1] === 'string' || types[1] === 'bytes' ? '' : schemas.has(types[1]) ? message(types[1], Buffer.alloc(0)) : 0;
  while (!reader.done) {
    const tag = Number(reader.varint());
    const wireType = tag & 7;
    if (tag >>> 3 === 1) key = scalar(types[0], wireType, reader);
    else if (tag >>> 3 === 2)
      value = schemas.has(types[1])
        ? message(types[1], reader.bytes(Number(reader.varint())))
        : scalar(types[1], wireType, reader);
    else reader.skip(wireType);
  }
  return [key, value];
}

/** The message name of a kind: `apps/v1` Deployment → `apps.v1.Deployment` (core is `core.v1`). */
function messageName(apiVersion: string, kind: string): string {
  // Options travel with the group/version of the request (or meta.k8s.io/v1) but are meta types.
  if (kind === 'DeleteOptions') return 'apis.meta.v1.DeleteOptions';
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const dir = group === '' ? 'core' : (group.split('.')[0] as string);
  return `${dir}.${version}.${kind}`;
}

export function isKubernetesProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** Decodes a `k8s\0`-prefixed protobuf body into the JSON object it stands for (apiVersion and kind set). */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!isKubernetesProtobuf(body)) throw malformed('missing the k8s protobuf prefix');
  const unknown = message('runtime.Unknown', body.subarray(4)) as {
    apiVersion?: string;
    kind?: string;
    raw?: string;
    contentEncoding?: string;
  };
  if (unknown.contentEncoding) throw malformed(`content encoding ${unknown.contentEncoding} is not supported`);
  const apiVersion = unknown.apiVersion ?? '';
  const kind = unknown.kind ?? '';
  const name = messageName(apiVersion, kind);
  if (!schemas.has(name)) {
    throw new StatusError(
      'UnsupportedMediaType',
      `the simulator cannot decode ${kind} (${apiVersion}) from protobuf; send application/json`,
    );
  }
  const obj = message(name, Buffer.from(unknown.raw ?? '', 'base64')) as Record<string, unknown>;
  return { apiVersion, kind, ...obj };
}
