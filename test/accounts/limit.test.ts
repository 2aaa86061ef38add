import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimiter } from '../../src/accounts/limit.ts';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('limiter', () => {
  it('runs at most `slots` tasks at once and starts the rest in arrival order', async () => {
    const limit = createLimiter(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = gates.map((gate, index) =>
      limit(async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    gates[1]?.resolve();
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    for (const gate of gates) gate.resolve();
    assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4]);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(peak, 2);
  });

  it('frees the slot when a task fails', async () => {
    const limit = createLimiter(1);
    const failing = deferred();
    const first = limit(() => failing.promise);
    const second = limit(async () => 'ran');
    failing.reject(new Error('boom'));
    await assert.rejects(first, /boom/);
    assert.equal(await second, 'ran');
  });

  it('refuses fewer than one slot', () => {
    assert.throws(() => createLimiter(0), RangeError);
  });
});
