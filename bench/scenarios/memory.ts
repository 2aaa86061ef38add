/**
 * Resident memory of a fresh server: idle, after N browser sessions, then after M more records
 * (grants, refresh tokens, access tokens in equal parts), all written through the server's own
 * store (Portcullis: store.model(…).upsert; baseline: its memory adapter). Readings follow a full
 * garbage collection. Per record, two figures: resident growth (what the process costs the machine,
 * allocator and heap slack included) and JS heap growth (what the stored records keep alive).
 */
import type { ServerChild } from '../servers/child.ts';

interface Reading {
  rss: number;
  heapUsed: number;
}

export interface MemoryFigures {
  idle: number;
  afterSessions: number;
  afterGrants: number;
  bytesPerSession: number;
  bytesPerGrant: number;
  heapPerSession: number;
  heapPerGrant: number;
}

export async function memoryFigures(server: ServerChild, sessions: number, grants: number): Promise<MemoryFigures> {
  const idle = await server.call<Reading>('memory');
  const afterSessions = await server.call<Reading>('fillSessions', sessions);
  const afterGrants = await server.call<Reading>('fillGrants', grants);
  return {
    idle: idle.rss,
    afterSessions: afterSessions.rss,
    afterGrants: afterGrants.rss,
    bytesPerSession: (afterSessions.rss - idle.rss) / sessions,
    bytesPerGrant: (afterGrants.rss - afterSessions.rss) / grants,
    heapPerSession: (afterSessions.heapUsed - idle.heapUsed) / sessions,
    heapPerGrant: (afterGrants.heapUsed - afterSessions.heapUsed) / grants,
  };
}
