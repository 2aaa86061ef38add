/**
 * The key-change signal over Redis pub/sub: a message on one channel, tagged with the sender so
 * an instance ignores its own. Typical delivery is a few milliseconds; while Redis is down the
 * store poll (KEY_SYNC_INTERVAL) carries changes, and a reconnect triggers a re-read because
 * messages sent meanwhile are lost (pub/sub does not queue).
 */
import type { Logger } from '../platform/logger.ts';
import { createRedis, type Redis } from '../platform/redis.ts';
import type { KeySignal } from './signal.ts';

export const KEY_CHANNEL = 'portcullis:keys:changed';
/** 2 s: long enough for a healthy Redis, short enough not to hold up start-up when it is down. */
const SUBSCRIBE_WAIT_MS = 2000;

/**
 * `topic` names what changed: the keys by default; other shared state that every instance caches
 * (resource servers, oidc/resource-sync.ts) uses its own channel with the same guarantees.
 */
export async function createRedisSignal(url: string, instanceId: string, logger: Logger, topic = { channel: KEY_CHANNEL, name: 'key' }): Promise<KeySignal> {
  const log = logger.child({ component: `${topic.name}-signal` });
  const CHANNEL = topic.channel;
  let down = false;
  const watch = (client: Redis, role: string) => {
    client.on('error', (error: Error) => {
      if (!down) log.warn({ err: error, role }, `Redis unreachable: ${topic.name} changes now travel by the store poll only`);
      down = true;
    });
  };
  const [publisher, subscriber] = await Promise.all([createRedis(url, 'publisher'), createRedis(url, 'subscriber')]);
  watch(publisher, 'publisher');
  watch(subscriber, 'subscriber');

  return {
    async publish() {
      try {
        await publisher.publish(CHANNEL, instanceId);
      } catch (error) {
        log.warn({ err: error }, `could not publish a ${topic.name} change; other instances will see it at their next poll`);
      }
    },
    async subscribe(onChange) {
      subscriber.on('message', (channel: string, sender: string) => {
        if (channel === CHANNEL && sender !== instanceId) onChange();
      });
      let ready = subscriber.status === 'ready';
      subscriber.on('ready', () => {
        // ioredis re-subscribes on reconnect; what was published while we were away is lost.
        if (ready) onChange();
        ready = true;
        if (down) log.info(`Redis reachable again: ${topic.name} changes are signalled`);
        down = false;
      });
      const subscribed = subscriber.subscribe(CHANNEL).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS).unref());
      if (!(await Promise.race([subscribed.catch(() => false), timedOut]))) {
        log.warn(`not subscribed to ${topic.name} changes yet (Redis slow or down); the store poll covers until it is`);
      }
    },
    async close() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
