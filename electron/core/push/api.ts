// The push API the review domain reads through (electron/core/push-api.ts): a session's pushes and their message
// deliveries as typed rows, and a change mark for the review's report cache.
import type { DeliveryStatus, PushTrigger } from '../../../shared/protocol/push.ts';
import type { PushApi } from '../push-api.ts';
import type { Db } from '../store/db.ts';
import { preparedPerDb } from '../store/prepared.ts';

/** Statements prepared once per database. */
function statements(db: Db) {
  return {
    pushes: db.prepare<[number], { id: number; trigger: PushTrigger; title: string; created_at: number; first_sent: number | null }>(
      `SELECT p.id, p.trigger, p.title, p.created_at,
         (SELECT min(d.sent_at) FROM push_deliveries d WHERE d.push_id = p.id AND d.status = 'sent') AS first_sent
       FROM pushes p WHERE p.session_id = ? ORDER BY p.created_at, p.id`,
    ),
    deliveries: db.prepare<
      [number],
      { push_id: number; channel_id: number; status: DeliveryStatus; last_error: string | null; name: string; kind: string }
    >(
      `SELECT d.push_id, d.channel_id, d.status, d.last_error, c.name, c.kind FROM push_deliveries d
       JOIN pushes p ON p.id = d.push_id JOIN push_channels c ON c.id = d.channel_id
       WHERE p.session_id = ? AND d.part = 'message' ORDER BY d.push_id, d.channel_id`,
    ),
    changeMark: db.prepare<[number], { m: string | null }>(
      `SELECT count(*) || ':' || max(d.updated_at) AS m FROM push_deliveries d JOIN pushes q ON q.id = d.push_id WHERE q.session_id = ?`,
    ),
  };
}

/** The push API over the database `db()` returns (read at each call); statements are prepared once per database. */
export function createPushApi(db: () => Db): PushApi {
  const sql = preparedPerDb(db, statements);
  return {
    sessionPushes: (sessionId) =>
      sql()
        .pushes.all(sessionId)
        .map((p) => ({ pushId: p.id, trigger: p.trigger, title: p.title, createdAt: p.created_at, firstSentAt: p.first_sent })),
    messageDeliveries: (sessionId) =>
      sql()
        .deliveries.all(sessionId)
        .map((d) => ({
          pushId: d.push_id,
          channelId: d.channel_id,
          channelName: d.name,
          channelKind: d.kind,
          status: d.status,
          lastError: d.last_error,
        })),
    changeMark: (sessionId) => String(sql().changeMark.get(sessionId)!.m),
  };
}
