// The daemon's control protocol: one JSON line each way over its Unix socket (mode 0600 in a
// 0700 directory). A `lease` connection stays open for the whole run: the daemon counts open
// leases, starts its idle timer only when none is left, and never swaps its worker under one.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export type DaemonRequest =
  | {
    op: 'lease';
    /** workerFingerprint(): a different one makes the daemon start a fresh worker. */
    fingerprint: string;
    /** The worker's environment and working directory, as `local` would start it. */
    env: Record<string, string>;
    cwd: string;
    /** The idle timeout from now on. */
    idleMs: number;
  }
  | { op: 'ping' }
  | { op: 'stop' };

export type DaemonReply =
  | { ok: true; pid: number; address: string; taskQueue: string | null }
  | { ok: false; code: string; message: string };

/** An open connection to the daemon with its first reply; close() ends the lease. */
export interface DaemonCall {
  reply: DaemonReply;
  close(): void;
}

/** Reads one JSON line from `socket`. */
export function readLine(socket: Socket, onLine: (value: unknown) => void, onEnd: () => void): void {
  let buffered = '';
  let done = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (done) return;
    buffered += chunk;
    const nl = buffered.indexOf('\n');
    if (nl < 0) return;
    done = true;
    let value: unknown = null;
    try {
      value = JSON.parse(buffered.slice(0, nl));
    } catch {
      value = null;
    }
    onLine(value);
  });
  socket.on('close', () => {
    if (!done) onEnd();
    done = true;
  });
  socket.on('error', () => undefined);
}

/**
 * Sends `request` and waits for the daemon's reply (the worker may be starting: that takes a
 * parse). Rejects when nothing listens, or when no reply comes within `timeoutMs`.
 */
export function callDaemon(socketPath: string, request: DaemonRequest, timeoutMs: number): Promise<DaemonCall> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the daemon did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    readLine(socket, (value) => {
      clearTimeout(timer);
      const reply = value as DaemonReply | null;
      if (!reply || typeof reply.ok !== 'boolean') {
        socket.destroy();
        reject(new Error('the daemon sent an unreadable reply'));
        return;
      }
      // The lease holds the connection; nothing else keeps this process alive for it.
      socket.unref();
      resolve({ reply, close: () => socket.end() });
    }, () => {
      clearTimeout(timer);
      reject(new Error('the daemon closed the connection without a reply'));
    });
  });
}
