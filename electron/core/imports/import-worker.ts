// The worker that parses an imported file (the 视频号助手 CSV/XLSX export, the catalog CSV, a session bundle) off the core's event loop, so a hostile
// file can cost at most this thread's time and heap (imports/run.ts sets both limits and ends the thread past them)
// and never a pin. It only parses and validates; the core writes the result to SQLite in one transaction on the main
// thread. It stays loaded between jobs (module loading is the slow part of a cold worker).
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { CoreError } from '../errors.ts';
import { parseChannelsFile } from '../review/channels-export.ts';
import { parseCatalog } from '../catalog/import.ts';
import { type BundleInput, type BundlePlan, checkBundle, transferables } from './session-bundle.ts';

export type ImportJob =
  | { kind: 'channels-export'; bytes: Uint8Array; fileName?: string }
  | { kind: 'catalog-csv'; bytes: Uint8Array }
  | { kind: 'session-bundle'; input: BundleInput; plan: BundlePlan };
export type ImportReply =
  { ok: true; value: unknown } | { ok: false; error: { code: CoreError['code']; message: string; details?: unknown } };

/** the parsed value, and the buffers in it that move to the core instead of being copied */
function run(job: ImportJob): { value: unknown; transfer: ArrayBuffer[] } {
  if (job.kind === 'session-bundle') {
    const value = checkBundle(job.input, job.plan);
    return { value, transfer: transferables(value) };
  }
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  return { value: job.kind === 'catalog-csv' ? parseCatalog(bytes) : parseChannelsFile(bytes, job.fileName), transfer: [] };
}

// Linux keeps a nice value per thread and setpriority(PRIO_PROCESS, 0) from this thread renices only this thread
// (setpriority(2), "BUGS": the Linux threading model), so the core's event loop wins the CPU whenever both want it.
// Elsewhere the same call would lower the whole process (Windows priority class, macOS process nice): not done there.
if (process.platform === 'linux') {
  try {
    os.setPriority(0, 10);
  } catch {
    /* not permitted: parse at normal priority */
  }
}

parentPort!.on('message', (job: ImportJob) => {
  let reply: ImportReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = run(job);
    reply = { ok: true, value: done.value };
    transfer = done.transfer;
  } catch (error) {
    reply =
      error instanceof CoreError
        ? { ok: false, error: { code: error.code, message: error.message, details: error.details } }
        : {
            ok: false,
            error: {
              code: 'bad_request',
              message: `文件无法读取 / the file could not be read: ${(error as Error)?.message ?? String(error)}`.slice(0, 500),
            },
          };
  }
  parentPort!.postMessage(reply, transfer);
});
parentPort!.postMessage('ready');
