/** What a session records about its last use, and how a user agent is described. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { overrideModel } from '../../src/oidc/model-view.ts';
import { readActivity, trackSessionActivity } from '../../src/sessions/activity.ts';
import { describeUserAgent } from '../../src/sessions/describe.ts';
import type { ModelPayload, ModelStore } from '../../src/storage/port.ts';
import { IPHONE } from '../support/devices.ts';

function recordingStore(): { store: ModelStore; saved: ModelPayload[] } {
  const saved: ModelPayload[] = [];
  const unused = (): never => {
    throw new Error('not used here');
  };
  const base = {
    upsert: unused,
    find: unused,
    findByUid: unused,
    findByUserCode: unused,
    findByAccountId: unused,
    findByGrantId: unused,
    consume: unused,
    destroy: unused,
    revokeByGrantId: unused,
    count: unused,
  };
  return {
    saved,
    store: overrideModel(base, {
      async upsert(_id, payload) {
        saved.push(payload);
      },
    }),
  };
}

describe('session activity', () => {
  it('stamps each save with the request’s IP, user agent (cut at 512 characters) and the time', async () => {
    const { store, saved } = recordingStore();
    const tracked = trackSessionActivity(
      store,
      () => ({ ip: '192.0.2.7', userAgent: 'x'.repeat(600) }),
      () => 1234,
    );
    await tracked.upsert('s', { uid: 'u', accountId: 'a' }, 60);
    const activity = readActivity(saved[0] as ModelPayload);
    assert.deepEqual(activity, { lastActiveAt: 1234, ip: '192.0.2.7', userAgent: 'x'.repeat(512) });
    assert.equal(saved[0]?.uid, 'u', 'the payload is kept');
  });

  it('saves untouched outside a request, and reads nothing from a record without activity', async () => {
    const { store, saved } = recordingStore();
    await trackSessionActivity(
      store,
      () => undefined,
      () => 1,
    ).upsert('s', { uid: 'u' }, 60);
    assert.deepEqual(saved[0], { uid: 'u' });
    assert.equal(readActivity({ uid: 'u' }), undefined);
  });

  it('describes a user agent for people', () => {
    assert.equal(describeUserAgent(IPHONE).label, 'Mobile Safari 17 on iOS 17.4 (Apple iPhone)');
    assert.equal(describeUserAgent(undefined).label, 'Unknown browser');
    assert.equal(describeUserAgent('curl/8.5.0').label, 'Unknown browser on an unknown system');
  });
});
