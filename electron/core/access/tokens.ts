// Scoped API tokens. The owner token is the machine's own (LIVECUE_TOKEN, else kept in the secret store so the banner
// and Settings can show it); every other token is issued by the owner with a role, and only its SHA-256 rests in
// SQLite. A presented token is hashed and compared in constant time against every live hash (a handful of rows).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken, Role } from '../../../shared/protocol/access.ts';
import { notFound } from '../errors.ts';
import type { Db } from '../store/db.ts';

export interface Caller {
  role: Role;
  /** null for the owner token */
  tokenId: number | null;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  hash: Buffer;
  hint: string;
  created_at: number;
  last_used_at: number | null;
}

/** 24 random bytes: 192 bits, so the hash needs no salt or stretching (nothing to guess offline) */
export const newSecret = (): string => randomBytes(24).toString('base64url');
const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
/** last-use writes are coalesced: a host display polling every second does not write every second */
const LAST_USED_RESOLUTION_MS = 60_000;

export class TokenRepo {
  private readonly db: Db;
  private readonly ownerHash: Buffer;
  private live: Row[] = [];

  constructor(db: Db, ownerToken: string) {
    this.db = db;
    this.ownerHash = sha256(ownerToken);
    this.reload();
  }

  private reload(): void {
    this.live = this.db.prepare<[], Row>('SELECT id, name, role, hash, hint, created_at, last_used_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id').all();
  }

  /** Who holds this token, or null. Every candidate is compared (constant time each), so timing reveals nothing. */
  identify(presented: string, now: number): Caller | null {
    const h = sha256(presented);
    let found: Caller | null = null;
    if (timingSafeEqual(h, this.ownerHash)) found = { role: 'owner', tokenId: null };
    for (const row of this.live) {
      if (timingSafeEqual(h, row.hash) && !found) {
        found = { role: row.role, tokenId: row.id };
        if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
          row.last_used_at = now;
          try {
            this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
          } catch {
            /* a read-only or full disk must not lock the views out: last use is a hint, kept in memory meanwhile */
          }
        }
      }
    }
    return found;
  }

  list(): ApiToken[] {
    return this.live.map(toApi);
  }

  create(name: string, role: Exclude<Role, 'owner'>, now: number): { token: ApiToken; secret: string } {
    const secret = newSecret();
    const id = Number(
      this.db
        .prepare('INSERT INTO api_tokens (name, role, hash, hint, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(name, role, sha256(secret), secret.slice(0, 4), now).lastInsertRowid,
    );
    this.reload();
    return { token: this.get(id), secret };
  }

  get(id: number): ApiToken {
    const row = this.live.find((r) => r.id === id);
    if (!row) throw notFound('token', id);
    return toApi(row);
  }

  revoke(id: number, now: number): void {
    const changed = this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes;
    if (!changed) throw notFound('token', id);
    this.reload();
  }

  /** a new secret for the same name and role; the old one stops working at once */
  rotate(id: number, now: number): { token: ApiToken; secret: string } {
    const old = this.get(id);
    const issued = this.db.transaction(() => {
      this.revoke(id, now);
      return this.create(old.name, old.role as Exclude<Role, 'owner'>, now);
    })();
    return issued;
  }
}

const toApi = (r: Row): ApiToken => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, lastUsedAt: r.last_used_at, hint: `${r.hint}…` });
