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
 * A session bundle is JSON parsed whole: its object graph lives in the heap (an 8-hour session, 33 MiB of JSON, peaks
 * at about 300 MB there, see docs/security.md). Its worker is loaded for the job and ended after it, so that heap is
 * given back at once rather than kept by an idle thread.
 */
export const BUNDLE_IMPORT_LIMITS = {
  timeMs: 30_000,
  heapMb: 640,
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
  /** the bundle job's own thread, while it runs */
  private bundleWorker: Worker | null = null;
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
    let worker: Worker;
    if (bundle) {
      worker = this.spawn(limits).worker;
      this.bundleWorker = worker;
    } else {
      const warm = this.warm ?? this.spawn(limits);
      this.warm = warm;
      worker = warm.worker;
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        fn();
        if (bundle) {
          if (this.bundleWorker === worker) this.bundleWorker = null;
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
          false,
        );
      };
      worker.on('message', onMessage);
      worker.once('error', (error: Error & { code?: string }) =>
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
        ),
      );
      worker.once('exit', (code) => finish(() => reject(new CoreError('internal', `import worker exited with ${code}`)), true));
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
    const warm = this.warm;
    const bundle = this.bundleWorker;
    this.warm = null;
    this.bundleWorker = null;
    await Promise.all([warm?.worker.terminate(), bundle?.terminate()]);
  }
}
