/**
 * Reads a secret from the process's stdin: at a terminal, a prompt on stderr with echo off (raw
 * mode, so the characters never reach the screen or the scrollback), asked twice when it sets
 * something new; from a pipe or file, the first line (without its line ending), so
 * `printf '%s\n' "$PW" | portcullis users add alice` works in scripts. Never from argv.
 */
import { CommandError } from './run.ts';

const MAX_BYTES = 64 * 1024;

async function fromPipe(input: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.length > MAX_BYTES) throw new CommandError('stdin is too long for a secret');
  }
  const [line] = text.split(/\r?\n/);
  return line ?? '';
}

function fromTerminal(input: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') return done(new CommandError('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}

export async function readSecretFromStdin(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return fromPipe(input);
  const first = await fromTerminal(input, prompt);
  if (options.confirm) {
    const again = await fromTerminal(input, 'again: ');
    if (again !== first) throw new CommandError('the two entries differ; nothing was changed');
  }
  return first;
}
