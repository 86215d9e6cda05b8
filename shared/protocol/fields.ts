// The field schemas every protocol file shares: one definition of an id, an amount in fen, a time in epoch ms, a
// counter, an http(s) link and the two kinds of single-line text. A domain file imports these; it defines only what
// is its own (a keyword, an OBS name's length, a tag).
import { z } from 'zod';

/** a row id: a positive integer a JavaScript number holds exactly */
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** money: integer fen (分), 0 … ¥1 000 000 000 */
export const MAX_FEN = 100_000_000_000;
export const fen = z.number().int().min(0).max(MAX_FEN);

/** a time: integer epoch milliseconds, 0 … the largest valid JavaScript Date (8.64e15 ms, ECMA-262 §21.4.1.1) */
export const MAX_EPOCH_MS = 8.64e15;
export const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);

/** a counter (viewers, clicks, views): integer 0 … 10^12 */
export const MAX_COUNT = 1e12;
export const count = z.number().int().min(0).max(MAX_COUNT);

/** an http(s) link as the operator pastes it: trimmed, at most 2048 characters, no whitespace inside */
export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s), 'must be an http(s) URL');

/** a name (channel, OBS scene/input/hotkey): trimmed, not empty, no control character at all (C0 U+0000–U+001F, DEL) */
export const printableName = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'control characters are not allowed');

/** a line of operator text (titles, selling points): trimmed, not empty; C0 controls refused except tab, LF and CR,
 * which pasted spreadsheet cells carry */
export const textLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s), 'control characters are not allowed');
