// Runs an import's parsing in a worker thread with a deadline and a heap cap: a file crafted to cost minutes or
// gigabytes ends that thread (answered 413) while the desk keeps pinning. worker_threads resourceLimits: Node docs,
// "new Worker(filename[, options])", resourceLimits.maxOldGenerationSizeMb / maxYoungGenerationSizeMb.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CoreError } from '../errors.ts';
import type { ImportJob, ImportReply } from './import-worker.ts';

export const IMPORT_LIMITS = {
  /** wall time for one file; the linear readers need well under a second for the largest accepted file */
  timeMs: 10_000,
  /** the worker's V8 heap; inflated XLSX bytes (≤ 64 MiB, xlsx.ts) live outside it */
  heapMb: 160,
};

/** the worker entry: beside this file when the core runs from source, beside the bundle in the desktop build */
function workerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const name of ['import-worker.ts', 'import-worker.js']) {
    const file = path.join(here, name);
    if (fs.existsSync(file)) return file;
  }
  throw new CoreError('internal', 'import worker missing from this build');
}

export function runImport<T>(job: ImportJob, limits = IMPORT_LIMITS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(workerFile(), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => done(() => reject(new CoreError('too_large', `文件过于复杂，${limits.timeMs / 1000} 秒内未能读完 / the file took longer than ${limits.timeMs / 1000} s to read: refused`))),
      limits.timeMs,
    );
    worker.once('message', (reply: ImportReply) =>
      done(() => (reply.ok ? resolve(reply.value as T) : reject(new CoreError(reply.error.code, reply.error.message, reply.error.details)))),
    );
    worker.once('error', (error: Error & { code?: string }) =>
      done(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new CoreError('too_large', `文件读取超出内存上限 ${limits.heapMb} MB / reading the file needs more than ${limits.heapMb} MB: refused`)
            : new CoreError('bad_request', `文件无法读取 / the file could not be read: ${error.message}`.slice(0, 500)),
        ),
      ),
    );
    worker.once('exit', (code) => done(() => reject(new CoreError('internal', `import worker exited with ${code}`))));
  });
}
