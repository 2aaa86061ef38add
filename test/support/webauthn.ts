/**
 * A software WebAuthn authenticator for tests that do not drive Chromium: a P-256 key made with
 * node:crypto, attestation `none`, assertions signed over authenticatorData ‖ SHA-256(clientDataJSON)
 * exactly as WebAuthn L3 § 6.3.3 says. Every field a refusal test needs to get wrong (origin, RP
 * id, counter, flags, challenge) is an option, so the fixtures are built here, not recorded.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [key: string]: Cbor };

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 256) return Buffer.from([(major << 5) | 24, value]);
  if (value < 65536) return Buffer.from([(major << 5) | 25, value >> 8, value & 255]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(value, 1);
  return out;
}

/** Just enough CBOR (RFC 8949) for attestation objects and COSE keys. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

export interface Flags {
  up?: boolean;
  uv?: boolean;
  be?: boolean;
  bs?: boolean;
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  counter?: number;
  flags?: Flags;
  /** Answer for this credential id instead of the authenticator's own. */
  credentialId?: string;
  userHandle?: string;
}

function flagsByte(flags: Flags, attested: boolean): number {
  return (flags.up !== false ? 0x01 : 0) | (flags.uv ? 0x04 : 0) | (flags.be ? 0x08 : 0) | (flags.bs ? 0x10 : 0) | (attested ? 0x40 : 0);
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  private readonly key: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;
  userHandle: string | undefined;

  readonly rpId: string;
  readonly origin: string;
  readonly defaults: Flags;

  constructor(rpId: string, origin: string, defaults: Flags = { up: true, uv: true }) {
    this.rpId = rpId;
    this.origin = origin;
    this.defaults = defaults;
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = pair.privateKey;
    this.publicJwk = pair.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private clientData(type: string, challenge: string, o: CeremonyOverrides): Buffer {
    return Buffer.from(JSON.stringify({ type: o.type ?? type, challenge: o.challenge ?? challenge, origin: o.origin ?? this.origin, crossOrigin: false }));
  }

  private authData(o: CeremonyOverrides, attested: Buffer | undefined): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(o.counter ?? this.counter);
    const rpIdHash = createHash('sha256')
      .update(o.rpId ?? this.rpId)
      .digest();
    const flags = Buffer.from([flagsByte({ ...this.defaults, ...o.flags }, attested !== undefined)]);
    return Buffer.concat([rpIdHash, flags, counter, ...(attested ? [attested] : [])]);
  }

  /** navigator.credentials.create() as @simplewebauthn/browser would return it. */
  register(options: { challenge: string; user: { id: string } }, o: CeremonyOverrides = {}) {
    this.userHandle = options.user.id;
    const cose = new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(this.publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.publicJwk.y, 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cbor(cose)]);
    const attestationObject = cbor({ fmt: 'none', attStmt: new Map(), authData: this.authData(o, attested) });
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, o)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(); the counter goes up by one unless `counter` says otherwise. */
  assert(options: { challenge: string }, o: CeremonyOverrides = {}) {
    if (o.counter === undefined) this.counter += 1;
    const clientData = this.clientData('webauthn.get', options.challenge, o);
    const authData = this.authData(o, undefined);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), this.key);
    const id = o.credentialId ?? this.id;
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...((o.userHandle ?? this.userHandle) ? { userHandle: o.userHandle ?? this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
