/**
 * Reads a request body and puts it back: the guard in front of the token endpoint needs the form
 * (to learn which client the request claims to be), and oidc-provider must still read the stream
 * itself, with its own limit and Content-Length checks. Handing it `req.body` instead works, but
 * it then warns ("already parsed request body detected") and, for an object, serialises and
 * parses the form once more. `Readable#unshift` is Node's way for a reader that looked ahead to
 * return what it read; the stream's end is held back until the returned bytes are read again.
 *
 * Resolves with the bytes, or `undefined` when the stream ended before they could be put back
 * (an empty body). Rejects beyond `limit` bytes or when the request fails.
 */
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

export function peekBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (finish: () => void) => {
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      finish();
    };
    function onReadable() {
      for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
        size += chunk.length;
        if (size > limit) {
          settle(() => reject(new BodyTooLarge(`request body over ${limit} bytes`)));
          return;
        }
        chunks.push(chunk);
      }
      // `complete` is set as the parser pushes the end: every byte has been read above. The end
      // event waits for the next tick and is not emitted while unshifted bytes remain.
      if (!req.complete) return;
      const body = Buffer.concat(chunks, size);
      settle(() => {
        if (size > 0) req.unshift(body);
        resolve(body);
      });
    }
    function onEnd() {
      settle(() => resolve(size === 0 ? undefined : Buffer.concat(chunks, size)));
    }
    function onError(error: Error) {
      settle(() => reject(error));
    }
    /** The client went away before the end: nothing more will come, and nothing else would settle this. */
    function onClose() {
      settle(() => reject(new Error('request closed before its body ended')));
    }
    req.on('readable', onReadable);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
