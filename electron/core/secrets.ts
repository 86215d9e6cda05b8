// Where secrets rest: the owner token, the OBS password, WeChat credentials, robot keys (anything a domain must not keep
// in SQLite; a generic get/set/delete by key — e.g. "wechat.secret", "push.channel.3.secret"). The core only knows this interface: Electron main provides one backed by
// safeStorage (OS keychain); serve mode uses a file in the data folder that only the user can read (mode 0600).
import fs from 'node:fs';
import path from 'node:path';

export interface SecretStore {
  /** how secrets are protected, shown in Settings */
  readonly kind: 'safeStorage' | 'file-0600';
  get(name: string): string | undefined;
  /** null removes the secret */
  set(name: string, value: string | null): void;
  delete(name: string): void;
}

export const SECRETS_FILE = 'secrets.json';

/** A JSON file written atomically (temp file with mode 0600, then rename), so no other user can read it at any moment. */
export class FileSecretStore implements SecretStore {
  readonly kind: SecretStore['kind'];
  private readonly file: string;
  private readonly encode: (plain: string) => string;
  private readonly decode: (stored: string) => string;

  /** codec: how a value is sealed before it is written (Electron: safeStorage); default as is, protected by 0600 */
  constructor(dir: string, codec?: { kind: SecretStore['kind']; encode: (plain: string) => string; decode: (stored: string) => string }) {
    this.kind = codec?.kind ?? 'file-0600';
    this.file = path.join(dir, SECRETS_FILE);
    this.encode = codec?.encode ?? ((s) => s);
    this.decode = codec?.decode ?? ((s) => s);
  }

  /** parsed once and kept: one process owns the data folder (store/lock.ts), and every write goes through set() */
  private cache: Record<string, string> | null = null;

  private read(): Record<string, string> {
    if (this.cache) return { ...this.cache };
    try {
      const value = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      this.cache = value && typeof value === 'object' ? (value as Record<string, string>) : {};
    } catch {
      this.cache = {};
    }
    return { ...this.cache };
  }

  get(name: string): string | undefined {
    const stored = this.read()[name];
    if (typeof stored !== 'string') return undefined;
    try {
      return this.decode(stored);
    } catch {
      return undefined;
    }
  }

  set(name: string, value: string | null): void {
    const all = this.read();
    if (value === null) delete all[name];
    else all[name] = this.encode(value);
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
    this.cache = all;
  }

  delete(name: string): void {
    if (this.read()[name] !== undefined) this.set(name, null);
  }
}
