/**
 * Verifies the stored trail (issue 17): every chain is walked by seq, each record's MAC is
 * recomputed (macs.ts), and the first problem of each chain is reported:
 * - `altered`: the record's MAC (or, while they are still there, its personal fields' MAC) does
 *   not match: a field was edited;
 * - `missing`: a seq is skipped or `prev` is not the previous record's mac: a record was deleted
 *   (or the chain does not start where its latest checkpoint says retention stopped).
 * A chain starts after its latest `audit.checkpoint` (retention.ts), whose own MAC must verify.
 * For the chain this process is writing, the stored head must also reach the head in memory,
 * so deleting the newest records is caught too; for other chains that is what the hourly
 * `audit.anchor` log lines are for (anchor.ts).
 */
import type { AuditRecord, AuditRepository, ChainMark } from '../storage/port.ts';
import type { ChainHead } from './chain.ts';
import type { AuditMacs } from './macs.ts';

export const CHECKPOINT_TYPE = 'audit.checkpoint';

export interface VerifyProblem {
  chain: string;
  seq: number;
  id?: string;
  problem: 'altered' | 'missing';
}

export interface VerifyResult {
  ok: boolean;
  /** Records whose MAC was recomputed. */
  checked: number;
  /** Chains seen (with at least one stored record or checkpoint). */
  chains: number;
  problems: VerifyProblem[];
}

export interface VerifyDeps {
  repo: Pick<AuditRepository, 'walk' | 'query'>;
  macs: AuditMacs;
  /** The chains this process writes, whose heads it knows. */
  liveHeads?: () => ChainHead[];
}

/** The marks of a checkpoint record's detail, if it is well formed. */
export function checkpointMarks(record: AuditRecord): ChainMark[] {
  const marks = record.detail?.chains;
  if (!Array.isArray(marks)) return [];
  return marks.filter(
    (mark): mark is ChainMark =>
      typeof mark === 'object' && mark !== null && typeof mark.chain === 'string' && Number.isSafeInteger(mark.seq) && typeof mark.mac === 'string',
  );
}

interface ChainState {
  seq: number;
  mac: string;
  broken: boolean;
  /** Records that arrived before their predecessor (embedded day files after a clock step back). */
  early: Map<number, AuditRecord>;
}

/** How many early records verify holds, over all chains, before it calls the gap a gap. */
const MAX_EARLY = 10_000;

export async function verifyTrail(deps: VerifyDeps): Promise<VerifyResult> {
  // Taken first: a record appended while the walk runs may be past where the walk has read.
  const heads = deps.liveHeads?.() ?? [];
  // Where each chain starts: after the highest mark of any checkpoint whose own MAC holds.
  const starts = new Map<string, ChainMark>();
  for await (const { record } of deps.repo.query({ typePrefix: CHECKPOINT_TYPE })) {
    if (record.type !== CHECKPOINT_TYPE || !deps.macs.verify(record)) continue;
    for (const mark of checkpointMarks(record)) {
      const known = starts.get(mark.chain);
      if (!known || mark.seq > known.seq) starts.set(mark.chain, mark);
    }
  }
  const chains = new Map<string, ChainState>();
  const problems: VerifyProblem[] = [];
  let checked = 0;
  let early = 0;
  const stateOf = (chain: string): ChainState => {
    let state = chains.get(chain);
    if (!state) {
      const start = starts.get(chain);
      state = { seq: start?.seq ?? 0, mac: start?.mac ?? '', broken: false, early: new Map() };
      chains.set(chain, state);
    }
    return state;
  };
  const report = (chain: string, state: ChainState, problem: Omit<VerifyProblem, 'chain'>) => {
    state.broken = true;
    early -= state.early.size;
    state.early.clear();
    problems.push({ chain, ...problem });
  };
  /** The next record of the chain, in order: its prev must be the mac before it. */
  const advance = (chain: string, state: ChainState, record: AuditRecord) => {
    if (record.prev !== state.mac) {
      // The record itself is intact; the one that should come before it is not there.
      report(chain, state, { seq: (record.seq as number) - 1, problem: 'missing' });
      return;
    }
    state.seq = record.seq as number;
    state.mac = record.mac as string;
  };
  for await (const record of deps.repo.walk()) {
    const chain = record.chain as string;
    const state = stateOf(chain);
    const seq = typeof record.seq === 'number' ? record.seq : Number.NaN;
    if (state.broken) continue;
    const start = starts.get(chain);
    if (start && seq <= start.seq) continue; // Purged up to there; what is left of it is not judged.
    checked += 1;
    if (!deps.macs.verify(record) || !(seq > state.seq) || state.early.has(seq)) {
      report(chain, state, { seq, id: record.id, problem: 'altered' });
      continue;
    }
    if (seq > state.seq + 1) {
      if (early >= MAX_EARLY) {
        report(chain, state, { seq: state.seq + 1, problem: 'missing' });
        continue;
      }
      state.early.set(seq, record);
      early += 1;
      continue;
    }
    advance(chain, state, record);
    for (let next = state.early.get(state.seq + 1); next && !state.broken; next = state.early.get(state.seq + 1)) {
      state.early.delete(next.seq as number);
      early -= 1;
      advance(chain, state, next);
    }
  }
  for (const [chain, state] of chains) if (!state.broken && state.early.size > 0) report(chain, state, { seq: state.seq + 1, problem: 'missing' });
  for (const head of heads) {
    if (head.seq === 0) continue;
    const state = stateOf(head.chain);
    if (!state.broken && state.seq < head.seq) report(head.chain, state, { seq: state.seq + 1, problem: 'missing' });
  }
  for (const chain of starts.keys()) stateOf(chain);
  return { ok: problems.length === 0, checked, chains: chains.size, problems };
}
