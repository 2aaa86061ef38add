import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { COMMANDS } from '../../src/cli/commands.ts';
import { type CliContext, type Command, runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';

function context(env: NodeJS.ProcessEnv = {}): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    config: () => loadConfig(env),
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
  };
}

function recorder(): Command & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    summary: 's',
    calls,
    run: async (args) => {
      calls.push(args);
      return 0;
    },
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

describe('cli dispatcher', () => {
  it('lists the commands on help', async () => {
    const io = context();
    assert.equal(await runCli(['help'], COMMANDS, io), 0);
    assert.ok(io.stdout.some((line) => line.includes('db:indexes')));
  });

  it('refuses an unknown or missing command with exit code 2 and the list', async () => {
    const io = context();
    assert.equal(await runCli(['db:nope'], COMMANDS, io), 2);
    assert.match(io.stderr[0] ?? '', /unknown command: db:nope/);
    assert.ok(io.stderr.some((line) => line.includes('db:indexes')));
    assert.equal(await runCli([], COMMANDS, context()), 2);
  });

  it('picks the longest multi-word command and passes the rest as arguments', async () => {
    const keys = recorder();
    const keysList = recorder();
    const table = { keys, 'keys list': keysList };
    await runCli(['keys', 'list', '--json'], table, context());
    await runCli(['keys', 'other'], table, context());
    assert.deepEqual(keysList.calls, [['--json']]);
    assert.deepEqual(keys.calls, [['other']]);
  });

  it('turns a thrown error into exit code 1 with the command named', async () => {
    const io = context();
    const broken: Command = {
      summary: 's',
      run: async () => {
        throw new Error('boom');
      },
    };
    assert.equal(await runCli(['x'], { x: broken }, io), 1);
    assert.deepEqual(io.stderr, ['x: boom']);
  });
});

describe('db:indexes', () => {
  it('fails with a clear message when MONGODB_URI is not set', async () => {
    const io = context({});
    assert.equal(await runCli(['db:indexes'], COMMANDS, io), 1);
    assert.match(io.stderr.join('\n'), /MONGODB_URI is not set/);
  });

  it('reports an invalid configuration naming the variable', async () => {
    const io = context({ MONGODB_URI: 'mongodb://x', PORT: 'abc' });
    assert.equal(await runCli(['db:indexes'], COMMANDS, io), 1);
    assert.match(io.stderr.join('\n'), /PORT/);
  });

  it('fails fast with "cannot reach MongoDB" when nothing listens', async () => {
    const io = context({ MONGODB_URI: `mongodb://127.0.0.1:${await closedPort()}/p?serverSelectionTimeoutMS=300` });
    assert.equal(await runCli(['db:indexes'], COMMANDS, io), 1);
    assert.match(io.stderr.join('\n'), /cannot reach MongoDB \(/);
    assert.deepEqual(io.stdout, []);
  });

  it('runs as `node src/cli/index.ts` and exits with the command status', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['src/cli/index.ts', 'help'], { env: { PATH: process.env.PATH } });
    assert.match(stdout, /db:indexes/);
    await assert.rejects(
      run(process.execPath, ['src/cli/index.ts', 'db:indexes'], { env: { PATH: process.env.PATH } }),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr ?? '', /MONGODB_URI is not set/);
        return true;
      },
    );
  });
});
