// Runs an import's parsing in a worker thread with a deadline and a heap cap: a file crafted to cost minutes or
// gigabytes ends that thread (answered 413) while the desk keeps pinning. worker_threads resourceLimits: Node docs,
// "new Worker(filename[, options])", resourceLimits.maxOldGenerationSizeMb / maxYoungGenerationSizeMb.
// One worker is kept warm (loaded, idle) so an import does not wait for module loading; one job at a time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CoreError } from '../errors.ts';
import type { ImportJob, ImportReply } from './import-worker.ts';

export const IMPORT_LIMITS = {
  /** wall time for one file; the linear readers need well under a second for the largest accepted file */
  timeMs: 10_000,
  /** the worker's V8 heap; inflated XLSX bytes (≤ 32 MiB, xlsx.ts) live outside it */
  heapMb: 160,
};

/**
 * A session bundle (up to 200 MiB of JSON) is read a batch of rows at a time and kept packed by column
 * (imports/session-bundle.ts): an 8-hour session (33 MiB) reads within a 96 MB heap, so 512 MB leaves room for the
 * largest real sessions while a hostile one ends there. Its own thread: loaded on the first bundle, kept warm after a
 * refusal (the cheap, repeatable case), ended after an import so the heap of the rows it built goes back at once.
 */
export const BUNDLE_IMPORT_LIMITS = {
  timeMs: 30_000,
  heapMb: 512,
};

type Limits = typeof IMPORT_LIMITS;

/** the worker entry: beside this file when the core runs from source, beside the bundle in the desktop build */
function workerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const name of ['import-worker.ts', 'import-worker.js']) {
    const file = path.join(here, name);
    if (fs.existsSync(file)) return file;
  }
  throw new CoreError('internal', 'import worker missing from this build');
}

interface Warm {
  worker: Worker;
  ready: Promise<void>;
}

export class ImportRunner {
  private warm: Warm | null = null;
  /** the session-bundle thread (its own heap limit), while loaded */
  private warmBundle: Warm | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly limits: Limits;
  private readonly bundleLimits: Limits;

  constructor(limits = IMPORT_LIMITS, bundleLimits = BUNDLE_IMPORT_LIMITS) {
    this.limits = limits;
    this.bundleLimits = bundleLimits;
  }

  /** loads a worker ahead of the first import (host start-up) */
  prepare(): void {
    if (!this.warm && !this.closed) this.warm = this.spawn(this.limits);
  }

  private spawn(limits: Limits): Warm {
    const worker = new Worker(workerFile(), {
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    // an idle thread that fails or ends is forgotten (the next job loads another); the job running, if any, is told by its own listeners
    worker.on('error', () => {});
    worker.on('exit', () => {
      if (this.warm?.worker === worker) this.warm = null;
      if (this.warmBundle?.worker === worker) this.warmBundle = null;
    });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`import worker exited with ${code}`)));
    });
    ready.catch(() => {});
    return { worker, ready };
  }

  /** One job at a time; `transfer` hands buffers over instead of copying them (they are unusable here after). */
  run<T>(job: ImportJob, transfer: ArrayBuffer[] = []): Promise<T> {
    const next = this.queue.then(() => this.runOne<T>(job, transfer));
    this.queue = next.catch(() => {});
    return next;
  }

  private async runOne<T>(job: ImportJob, transfer: ArrayBuffer[]): Promise<T> {
    if (this.closed) throw new CoreError('conflict', 'LiveCue is shutting down');
    const bundle = job.kind === 'session-bundle';
    const limits = bundle ? this.bundleLimits : this.limits;
    const warm = (bundle ? this.warmBundle : this.warm) ?? this.spawn(limits);
    if (bundle) this.warmBundle = warm;
    else this.warm = warm;
    const { worker } = warm;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // a warm worker serves many jobs: this job's listeners go with it
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        fn();
        if (bundle) {
          // past a limit, dead, or done building an import's rows: this thread goes; the next bundle loads a fresh one
          if (!kill) return;
          if (this.warmBundle?.worker === worker) this.warmBundle = null;
          void worker.terminate();
        } else if (kill) {
          // past a limit (or dead): this thread goes, a fresh one is loaded for the next file
          if (this.warm?.worker === worker) this.warm = null;
          void worker.terminate();
          if (!this.closed) this.warm = this.spawn(limits);
        }
      };
      const timer = setTimeout(
        () =>
          finish(
            () =>
              reject(
                new CoreError(
                  'too_large',
                  `文件过于复杂，${limits.timeMs / 1000} 秒内未能读完 / the file took longer than ${limits.timeMs / 1000} s to read: refused`,
                ),
              ),
            true,
          ),
        limits.timeMs,
      );
      const onMessage = (reply: ImportReply | 'ready') => {
        if (reply === 'ready') return;
        finish(
          () => (reply.ok ? resolve(reply.value as T) : reject(new CoreError(reply.error.code, reply.error.message, reply.error.details))),
          bundle && reply.ok,
        );
      };
      const onError = (error: Error & { code?: string }) =>
        finish(
          () =>
            reject(
              error.code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? new CoreError(
                    'too_large',
                    `文件读取超出内存上限 ${limits.heapMb} MB / reading the file needs more than ${limits.heapMb} MB: refused`,
                  )
                : new CoreError('bad_request', `文件无法读取 / the file could not be read: ${error.message}`.slice(0, 500)),
            ),
          true,
        );
      const onExit = (code: number) => finish(() => reject(new CoreError('internal', `import worker exited with ${code}`)), true);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      try {
        worker.postMessage(job, transfer);
      } catch (error) {
        // a value that cannot be cloned (a function, a symbol): nothing reached the worker
        finish(
          () =>
            reject(new CoreError('bad_request', `内容无法读取 / the content could not be read: ${(error as Error).message}`.slice(0, 500))),
          false,
        );
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const warm = [this.warm, this.warmBundle];
    this.warm = this.warmBundle = null;
    await Promise.all(warm.map((w) => w?.worker.terminate()));
  }
}
