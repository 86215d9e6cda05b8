// The core: one engine that every host (Electron main, `serve`) runs. Commands come in by name, are parsed with the
// protocol's schemas, change SQLite in one transaction, and then emit events to every subscribed view.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Snapshot } from '../../shared/domain.ts';
import {
  type CommandName,
  type CommandResult,
  type CoreEvent,
  type ParsedInput,
  type SnapshotPart,
  commandSchemas,
  describeIssues,
  isCommandName,
} from '../../shared/protocol/index.ts';
import { ProductRepo } from './catalog/products.ts';
import { CoreError } from './errors.ts';
import { SessionRepo } from './lineup/sessions.ts';
import { TemplateRepo } from './lineup/templates.ts';
import { SettingsRepo } from './settings.ts';
import { type Db, openDatabase, DB_FILE } from './store/db.ts';
import { seedDemo } from './demo.ts';
import { TokenRepo } from './access/tokens.ts';
import { FileSecretStore, type SecretStore } from './secrets.ts';
import type { StoreProblem } from '../../shared/protocol/access.ts';
import { relocateSecrets } from './access/relocate.ts';
import { ImportRunner } from './imports/run.ts';
import { type DataDirLock, lockDataDir } from './store/lock.ts';

export interface CoreOptions {
  dataDir: string;
  resourcesDir: string;
  version: string;
  /** clock, injectable for tests */
  now?: () => number;
  /** seed the demo catalog on an empty data folder (default true) */
  seedDemo?: boolean;
  /** overrides the stored owner token (LIVECUE_TOKEN) */
  token?: string;
  /** where secrets rest (Electron: safeStorage); default a 0600 file in the data folder */
  secrets?: SecretStore;
  log?: (line: string) => void;
}

export const OWNER_TOKEN_SECRET = 'access.ownerToken';
export const DISPLAY_LINK_SECRET = 'access.displayLink';

export type Handler<N extends CommandName> = (input: ParsedInput<N>) => CommandResult<N> | Promise<CommandResult<N>>;
type AnyHandler = (input: unknown) => unknown;
export type Listener = (event: CoreEvent) => void;

export class Core {
  readonly db: Db;
  readonly products: ProductRepo;
  readonly sessions: SessionRepo;
  readonly templates: TemplateRepo;
  readonly settings: SettingsRepo;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly resourcesDir: string;
  readonly version: string;
  /** the owner token: everything, and never carried by a link or QR code */
  readonly token: string;
  readonly secrets: SecretStore;
  readonly access: TokenRepo;
  /** parses imported files in a worker thread with time and heap limits */
  readonly imports = new ImportRunner();
  readonly now: () => number;
  readonly log: (line: string) => void;
  private readonly lock: DataDirLock;
  private readonly listeners = new Set<Listener>();
  private readonly handlers = new Map<CommandName, AnyHandler>();
  private readonly snapshotParts = new Map<string, () => unknown>();
  private closed = false;

  constructor(options: CoreOptions) {
    this.dataDir = options.dataDir;
    this.dbPath = path.join(options.dataDir, DB_FILE);
    this.resourcesDir = options.resourcesDir;
    this.version = options.version;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => console.log(line));
    // one process per data folder, for the process's life (store/lock.ts); a second one stops here, naming the holder
    this.lock = lockDataDir(options.dataDir);
    try {
      this.db = openDatabase(options.dataDir);
    } catch (error) {
      this.lock.release();
      throw error;
    }
    // the desk's tables, read by every domain; their commands are the catalog and lineup modules (catalog/module.ts,
    // lineup/module.ts). The lineup reads products through its CatalogApi, which ProductRepo is.
    this.products = new ProductRepo(this.db);
    this.sessions = new SessionRepo(this.db, this.products);
    this.templates = new TemplateRepo(this.db);
    this.settings = new SettingsRepo(this.db);
    this.secrets = options.secrets ?? new FileSecretStore(options.dataDir);
    relocateSecrets(this.db, this.secrets, this.log);
    this.token = options.token ?? this.secrets.get(OWNER_TOKEN_SECRET) ?? this.newToken();
    this.access = new TokenRepo(this.db, this.token);
    if (options.seedDemo !== false && !this.settings.get('demoSeeded')) {
      this.db.transaction(() => {
        seedDemo(this);
        this.settings.set('demoSeeded', true);
      })();
    }
    this.addSnapshotPart('store', () => this.storeProblem);
    this.handle('snapshot', () => this.snapshot());
    // the Electron shell replaces this; in browser mode the page opens #/host itself
    this.handle('window.openHostDisplay', () => ({ opened: false }));
  }

  /**
   * The one on-air session every follower shows (host display, overlay, dashboard, bridge): the live session when
   * there is one (at most one is live, see session.start), else the one the producer chose last.
   */
  currentSessionId(): number | null {
    const live = this.sessions.liveId();
    if (live !== null) return live;
    const chosen = this.settings.get<number>('currentSessionId') ?? null;
    return chosen !== null && this.sessions.existsId(chosen) ? chosen : null;
  }

  private newToken(): string {
    const token = randomBytes(24).toString('base64url');
    this.secrets.set(OWNER_TOKEN_SECRET, token);
    return token;
  }

  /**
   * The display token the host-display link and its QR carry (role display: read-only views). Its secret is kept in
   * the secret store so the same QR can be shown again; revoking or rotating it in Settings makes a new one here.
   */
  displayLinkToken(): string {
    const kept = this.secrets.get(DISPLAY_LINK_SECRET);
    if (kept && this.access.identify(kept, this.now())?.role === 'display') return kept;
    const { secret } = this.access.create('主播大屏链接 / host display link', 'display', this.now());
    this.secrets.set(DISPLAY_LINK_SECRET, secret);
    return secret;
  }

  /** Registers (or, for host-specific commands such as server.info, replaces) the handler of a command. */
  handle<N extends CommandName>(name: N, handler: Handler<N>): void {
    this.handlers.set(name, handler as AnyHandler);
  }

  /** The one entry point of every carrier: unknown names and bad inputs are rejected here with a clear error. */
  async invoke(name: unknown, input: unknown): Promise<unknown> {
    if (!isCommandName(name)) throw new CoreError('not_found', `unknown command: ${String(name).slice(0, 80)}`);
    if (this.closed) throw new CoreError('unavailable', 'LiveCue 正在关闭，请稍后重试 / LiveCue is shutting down, try again shortly');
    const parsed = commandSchemas[name].safeParse(input ?? {});
    if (!parsed.success) throw new CoreError('bad_request', describeIssues(parsed.error), { issues: parsed.error.issues.slice(0, 20) });
    const handler = this.handlers.get(name);
    if (!handler) throw new CoreError('not_found', `command ${name} is not available in this host`);
    try {
      return await handler(parsed.data);
    } catch (error) {
      const storage = storageProblem(error, this.now());
      if (storage) {
        this.storageFailed(storage);
        throw new CoreError('unavailable', storage.message, { storage: storage.reason });
      }
      throw toCoreError(error, this.log);
    }
  }

  /** what keeps the database from being written, while it lasts (shown as a banner in every view) */
  storeProblem: StoreProblem | null = null;
  private probeTimer: NodeJS.Timeout | undefined;

  private storageFailed(problem: StoreProblem): void {
    const first = this.storeProblem === null;
    this.storeProblem = first ? problem : { ...problem, since: this.storeProblem!.since };
    if (!first) return;
    this.log(`livecue: ${problem.message}`);
    this.emit({ type: 'store.failed', problem: this.storeProblem });
    // a tiny real write every 5 s tells when the disk has room (or the file is writable) again
    this.probeTimer = setInterval(() => {
      try {
        this.settings.set('store.probe', this.now());
        clearInterval(this.probeTimer);
        this.storeProblem = null;
        this.emit({ type: 'store.recovered' });
      } catch {
        /* still failing */
      }
    }, 5000);
    this.probeTimer.unref();
  }

  /** Typed variant for in-process callers (tests, the Electron shell). */
  call<N extends CommandName>(name: N, input: unknown = {}): Promise<CommandResult<N>> {
    return this.invoke(name, input) as Promise<CommandResult<N>>;
  }

  /** A domain adds its part of the full snapshot a (re)connecting view receives, under snapshot.ext[name]. */
  addSnapshotPart<K extends string>(name: K, read: () => SnapshotPart<K>): void {
    this.snapshotParts.set(name, read);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: CoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log(`event listener failed: ${(error as Error).message}`);
      }
    }
  }

  snapshot(): Snapshot {
    const read = this.db.transaction(() => ({
      version: this.version,
      serverTime: this.now(),
      products: this.products.list(),
      sessions: this.sessions.list(),
      active: this.sessions.activeStates(),
      templates: this.templates.list(),
      ext: Object.fromEntries([...this.snapshotParts].map(([name, read]) => [name, read()])),
    }));
    return read();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.imports.close();
    clearInterval(this.probeTimer);
    this.listeners.clear();
    this.db.close();
    this.lock.release();
  }
}

/**
 * SQLite result codes that mean "cannot write here" (sqlite.org/rescode.html: SQLITE_READONLY*, SQLITE_FULL,
 * SQLITE_IOERR*, SQLITE_CANTOPEN): answered 503 with the reason, never 500. The transaction was rolled back by then.
 */
export function storageProblem(error: unknown, now: number): StoreProblem | null {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_READONLY')) {
    return {
      reason: 'readonly',
      since: now,
      message:
        '数据库只读，无法保存：请检查数据目录的权限或磁盘 / the database is read-only, nothing can be saved: check the data folder’s permissions or the disk',
    };
  }
  if (code === 'SQLITE_FULL') {
    return {
      reason: 'full',
      since: now,
      message: '磁盘已满，无法保存：请腾出空间 / the disk is full, nothing can be saved: free some space',
    };
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return { reason: 'io', since: now, message: `磁盘读写出错，无法保存 / the disk failed to read or write (${code}), nothing was saved` };
  }
  return null;
}

function toCoreError(error: unknown, log: (line: string) => void): CoreError {
  if (error instanceof CoreError) return error;
  const e = error as { code?: string; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
    return new CoreError('conflict', `数据冲突 / conflicting change: ${e.message ?? e.code}`);
  }
  log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  return new CoreError('internal', '内部错误，详情见日志 / internal error, see the log');
}
