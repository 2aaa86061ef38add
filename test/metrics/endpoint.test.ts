/**
 * The metrics listener: its own port, loopback unless a bearer token guards it, only GET /metrics,
 * and a page Prometheus's own linter accepts. The public port never serves it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { hasPromtool, METRICS_TOKEN, promtoolCheck, samples, scrape } from '../support/metrics.ts';
import { freePort, startServer, type TestServer } from '../support/server.ts';

describe('the metrics listener', () => {
  it('refuses to start on a non-loopback METRICS_HOST without METRICS_TOKEN, naming the variable', async () => {
    for (const host of ['0.0.0.0', '192.0.2.10', '::', 'metrics.example.com']) {
      assert.throws(
        () => loadConfig({ METRICS_PORT: '9464', METRICS_HOST: host }),
        (error: unknown) => error instanceof ConfigError && /METRICS_TOKEN: .*METRICS_HOST/.test(error.message),
        host,
      );
    }
    await assert.rejects(startServer({ env: { METRICS_PORT: String(await freePort()), METRICS_HOST: '0.0.0.0' } }), /METRICS_TOKEN/);
    // Loopback needs no token, a token allows any host, and without METRICS_PORT nothing listens.
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost'])
      assert.equal(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: host }).metrics.host, host);
    assert.equal(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN }).metrics.host, '0.0.0.0');
    assert.equal(loadConfig({}).metrics.port, undefined);
    assert.equal(loadConfig({}).metrics.host, '127.0.0.1');
  });

  it('refuses a METRICS_TOKEN shorter than 32 characters', () => {
    assert.throws(() => loadConfig({ METRICS_PORT: '9464', METRICS_TOKEN: 'short' }), /METRICS_TOKEN: must be at least 32 characters/);
  });
});

describe('an open (loopback) metrics port', () => {
  let server: TestServer;
  let metricsUrl: string;
  before(async () => {
    const port = await freePort();
    server = await startServer({ env: { METRICS_PORT: String(port) } });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  after(() => server.close());

  it('serves the Prometheus text format with the process and Node.js metrics', async () => {
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const names = new Set(samples(await response.text()).map((s) => s.name));
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'portcullis_signing_keys']) {
      assert.ok(names.has(name), name);
    }
  });

  it('passes promtool check metrics (our own metrics lint clean)', async (t) => {
    if (!hasPromtool()) {
      // CI installs promtool (.ci/run); there a missing one is a failure, never a skip.
      assert.ok(!process.env.CI, 'promtool is missing in CI (Debian package prometheus)');
      t.skip('promtool is not installed');
      return;
    }
    // Traffic first, so histograms and labelled counters have samples to check.
    await fetch(`${server.url}/.well-known/openid-configuration`);
    await fetch(`${server.url}/no-such-page`);
    const { code, lines } = await promtoolCheck(await scrape(metricsUrl));
    // Exit 1 is a parse error; 3 means lint findings. prom-client's default gauges
    // nodejs_active_{handles,requests,resources}_total carry a _total suffix promtool frowns on:
    // those three are prom-client's names, not ours, and the only findings allowed.
    assert.notEqual(code, 1, lines.join('\n'));
    const ours = lines.filter((line) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(line));
    assert.deepEqual(ours, []);
    assert.ok(code === 0 || code === 3, `promtool exited ${code}`);
  });

  it('answers 404 anywhere else on the metrics port, and 405 to anything but GET', async () => {
    const base = metricsUrl.replace('/metrics', '');
    for (const path of ['/', '/metrics/', '/metrics/x', '/healthz', '/.well-known/openid-configuration']) {
      assert.equal((await fetch(`${base}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(metricsUrl, { method: 'POST', body: 'x' })).status, 405);
  });

  it('is not on the public port', async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 404);
    assert.doesNotMatch(await response.text(), /portcullis_|process_cpu/);
  });
});

describe('a metrics port guarded by METRICS_TOKEN', () => {
  let server: TestServer;
  let metricsUrl: string;
  before(async () => {
    const port = await freePort();
    server = await startServer({ env: { METRICS_PORT: String(port), METRICS_TOKEN } });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  after(() => server.close());

  it('answers 401 without the bearer token or with a wrong one, and 200 with the right one', async () => {
    for (const authorization of [
      undefined,
      `Bearer ${METRICS_TOKEN.slice(0, -1)}x`,
      `Bearer ${METRICS_TOKEN}x`,
      'Bearer ',
      `Basic ${METRICS_TOKEN}`,
      METRICS_TOKEN,
    ]) {
      const response = await fetch(metricsUrl, authorization === undefined ? {} : { headers: { authorization } });
      assert.equal(response.status, 401, String(authorization));
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="portcullis-metrics"/);
      assert.doesNotMatch(await response.text(), /portcullis_|process_cpu/);
    }
    assert.match(await scrape(metricsUrl, METRICS_TOKEN), /portcullis_signing_keys/);
  });

  it('still closes: the instance stops listening on both ports', async () => {
    const other = await freePort();
    const second = await startServer({ env: { METRICS_PORT: String(other), METRICS_TOKEN } });
    const url = `http://127.0.0.1:${other}/metrics`;
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200);
    await second.close();
    await assert.rejects(fetch(url), /fetch failed/);
  });
});
