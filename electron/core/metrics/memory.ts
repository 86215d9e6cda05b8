// Debug only (LIVECUE_DEBUG_MEMORY=1, GET /api/v1/debug/memory): what the process and this domain hold, for the soak
// benchmark (bench/). The keys are the benchmark's: keep them.
import fs from 'node:fs';
import v8 from 'node:v8';
import type { Core } from '../core.ts';
import type { SessionAggregate } from './aggregate.ts';
import type { MetricsSource } from './sources/source.ts';

export interface DomainMaps {
  aggregates: ReadonlyMap<number, SessionAggregate>;
  running: ReadonlyMap<number, MetricsSource>;
  /** the size of every other in-memory map of the domain, by name */
  sizes: Record<string, number>;
}

/** process memory, SQLite's settings and file sizes, and the size of every in-memory map of this domain */
export function memoryReport(core: Core, maps: DomainMaps, collect = false): Record<string, unknown> {
  // ?gc=1 in an experiment started with --expose-gc: the live heap after a full collection, not a moment's garbage
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) gc();
  const db = core.db;
  const fileSize = (suffix: string) => {
    try {
      return fs.statSync(core.dbPath + suffix).size;
    } catch {
      return 0;
    }
  };
  const aggs: Record<string, Record<string, number>> = {};
  for (const [id, a] of maps.aggregates) {
    aggs[id] = {
      present: a.openVisits.size,
      minutes: a.minutes.size,
      segments: a.segments.length,
      recentOnline: a.recentOnline.length,
      pendingOnline: a.pendingOnline.length,
      products: a.products.size,
    };
  }
  const sources: Record<string, Record<string, number>> = {};
  for (const [id, r] of maps.running) sources[id] = r.sizes?.() ?? {};
  return {
    process: process.memoryUsage(),
    /** the V8 flags this process was started with (scripts/node-flags.json) */
    execArgv: process.execArgv,
    // per V8 space: [used, committed] bytes
    heapSpaces: Object.fromEntries(
      v8
        .getHeapSpaceStatistics()
        .filter((s) => s.space_size > 0)
        .map((s) => [s.space_name, [s.space_used_size, s.space_size]]),
    ),
    // resident pages of the V8 heap (beside committed heapTotal) and V8's own malloc'd memory (zones, not the JS heap)
    heap: (({ total_heap_size, total_physical_size, malloced_memory, peak_malloced_memory, external_memory }) => ({
      total_heap_size,
      total_physical_size,
      malloced_memory,
      peak_malloced_memory,
      external_memory,
    }))(v8.getHeapStatistics()),
    sqlite: {
      cacheSize: db.pragma('cache_size', { simple: true }),
      mmapSize: db.pragma('mmap_size', { simple: true }),
      pageSize: db.pragma('page_size', { simple: true }),
      pageCount: db.pragma('page_count', { simple: true }),
      dbBytes: fileSize(''),
      walBytes: fileSize('-wal'),
      shmBytes: fileSize('-shm'),
    },
    maps: { aggs: maps.aggregates.size, ...maps.sizes },
    aggs,
    sources,
  };
}
