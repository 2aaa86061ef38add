/**
 * The chain of this process (issue 17): a random id per start; every stored record gets the
 * next `seq`, `prev` = the previous record's mac ('' for the first) and its MACs (macs.ts).
 *
 * Appends are serialised: a record's seq and prev are fixed only once the one before it is
 * stored, so seq follows the order appends are issued in, and a write that fails leaves no gap
 * (the head does not move; the next record takes the same seq). The failure still reaches the
 * caller (the bus logs it).
 */
import { randomBytes } from 'node:crypto';
import type { AuditRecord, AuditRepository } from '../storage/port.ts';
import type { AuditMacs } from './macs.ts';

export interface ChainHead {
  chain: string;
  seq: number;
  mac: string;
}

export interface AuditChain {
  readonly id: string;
  /** Stamps and stores the record; resolves with what was stored. */
  append(record: AuditRecord): Promise<AuditRecord>;
  /** The last stored record of this chain (seq 0 before the first). */
  head(): ChainHead;
  /** Resolves once every append issued so far has settled. */
  idle(): Promise<void>;
}

export interface AuditChainDeps {
  repo: Pick<AuditRepository, 'append'>;
  macs: AuditMacs;
  /** Tests name their chain; otherwise 16 random bytes. */
  id?: string;
}

export function createAuditChain(deps: AuditChainDeps): AuditChain {
  const id = deps.id ?? randomBytes(16).toString('base64url');
  let head: ChainHead = { chain: id, seq: 0, mac: '' };
  let tail: Promise<unknown> = Promise.resolve();
  const write = async (record: AuditRecord): Promise<AuditRecord> => {
    const { mac: _mac, personalMac: _personal, ...fields } = record;
    const stamped: AuditRecord = { ...fields, chain: id, seq: head.seq + 1, prev: head.mac };
    stamped.personalMac = deps.macs.personalMac(stamped);
    stamped.mac = deps.macs.mac(stamped);
    await deps.repo.append(stamped);
    head = { chain: id, seq: stamped.seq as number, mac: stamped.mac };
    return stamped;
  };
  return {
    id,
    append(record) {
      const done = tail.then(() => write(record));
      tail = done.catch(() => undefined);
      return done;
    },
    head: () => ({ ...head }),
    idle: () => tail.then(() => undefined),
  };
}
