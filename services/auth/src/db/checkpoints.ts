import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointOptions {
  /** How often the worker copies the write-ahead log into the database (default 100 ms). */
  intervalMs?: number;
  /**
   * Past this many frames in the log (4 KiB pages; default 65536, 256 MiB: about 1800 logins,
   * ten seconds of a login service at full load), the worker restarts it, so that it does not
   * grow without end. Writers wait meanwhile (it copies what arrived since its last pass and
   * syncs both files, tens of milliseconds when the disk is busy), so this is rare. An idle
   * moment restarts the log anyway: the first write after a complete pass starts it afresh.
   */
  restartFrames?: number;
  /** Told when a checkpoint fails (it is tried again at the next interval). */
  onError?: (message: string) => void;
  /** Told when the worker has stopped other than by `close()`: checkpoint on the main connection again. */
  onStopped?: (message: string) => void;
}

export interface BackgroundCheckpoints {
  close(): Promise<void>;
}

/**
 * The worker: its own connection to the database file, checkpointing on a timer. CommonJS text
 * evaluated by the Worker, so that it runs the same from src (tests) and from dist.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.sqlite);
const db = new SQLite(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
parentPort.postMessage({ ready: true });
const timer = setInterval(() => {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
    if (passive.log >= workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoint a SQLite database's write-ahead log in a worker thread, so that the service's
 * event loop never waits for it. SQLite checkpoints on the committing connection by default
 * (every 1000 pages): with synchronous=NORMAL that is two fsyncs, which on a busy disk held the
 * login service's event loop for 5–20 ms about every 15 logins (a third of a millisecond per
 * login, and its worst latencies). Here the worker copies the log passively (writers go on
 * writing meanwhile) and restarts it when it has grown past `restartFrames`: writers then wait
 * for it once every few thousand commits instead of once every few hundred. The caller turns its own connection's
 * automatic checkpoints off (`PRAGMA wal_autocheckpoint = 0`) once this has started, and back on
 * if it reports failure.
 */
export function startBackgroundCheckpoints(
  file: string,
  options: CheckpointOptions = {},
): Promise<BackgroundCheckpoints> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: options.intervalMs ?? 100,
      restartFrames: options.restartFrames ?? 65536,
    },
  });
  worker.unref();
  return new Promise((resolve, reject) => {
    let state: 'starting' | 'running' | 'closing' = 'starting';
    let failure = 'the checkpoint worker exited';
    const exited = new Promise<void>((done) =>
      worker.once('exit', () => {
        if (state === 'starting') reject(new Error(failure));
        else if (state === 'running') options.onStopped?.(failure);
        done();
      }),
    );
    worker.on('error', (err) => (failure = err.message));
    worker.on('message', (m: { ready?: boolean; error?: string }) => {
      if (m.error) options.onError?.(m.error);
      if (!m.ready) return;
      state = 'running';
      resolve({
        close: async () => {
          state = 'closing';
          worker.postMessage('close');
          await exited;
        },
      });
    });
  });
}
