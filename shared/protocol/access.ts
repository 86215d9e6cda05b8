// Access domain of the protocol: scoped API tokens (owner / producer / display / trigger), listed with their last use,
// created, revoked and rotated from Settings by the owner. A token's secret is shown once, when created or rotated.
import { z } from 'zod';
import { printableName } from './fields.ts';

export const ROLES = ['owner', 'producer', 'display', 'trigger'] as const;
export type Role = (typeof ROLES)[number];
/** roles a token can be created with; the owner token is the machine's own (LIVECUE_TOKEN or the secret store) */
export const ISSUED_ROLES = ['producer', 'display', 'trigger'] as const;

/** named actions a trigger token may fire (Stream Deck / Companion buttons); all act on the live session */
export const TRIGGER_ACTIONS = ['next', 'unpin', 'undo', 'pin'] as const;
export type TriggerAction = (typeof TRIGGER_ACTIONS)[number];

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const name = printableName(60);

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  /** the first characters of the token, enough to tell two apart */
  hint: string;
}

/** What a freshly created or rotated token comes with: the secret, once, and ready-made links (with QR codes). */
export interface IssuedToken {
  token: ApiToken;
  secret: string;
  links: { label: string; url: string; qrSvg: string }[];
}

export const commands = {
  'access.tokens': z.strictObject({}),
  'access.create': z.strictObject({ name, role: z.enum(ISSUED_ROLES) }),
  'access.revoke': z.strictObject({ id }),
  'access.rotate': z.strictObject({ id }),
};

export interface Results {
  'access.tokens': ApiToken[];
  'access.create': IssuedToken;
  'access.revoke': { id: number };
  'access.rotate': IssuedToken;
}

/** the database cannot be written (read-only file or folder, full disk, I/O error): every view shows a banner */
export interface StoreProblem {
  reason: 'readonly' | 'full' | 'io';
  message: string;
  since: number;
}

export type Events =
  | { type: 'access.changed'; tokens: ApiToken[] }
  | { type: 'store.failed'; problem: StoreProblem }
  | { type: 'store.recovered' };
