// Per-lineup-item OBS cues (a scene switch and/or a hotkey fired when the item is pinned), in obs_item_cues.
import type { ItemCue } from '../../../shared/protocol/obs.ts';
import type { Db } from '../store/db.ts';
import type { BatchRequest } from './link.ts';

interface CueRow {
  lineup_item_id: number;
  scene_name: string | null;
  hotkey_name: string | null;
}
const toCue = (r: CueRow): ItemCue => ({ lineupItemId: r.lineup_item_id, sceneName: r.scene_name, hotkeyName: r.hotkey_name });

export class CueRepo {
  private readonly db: Db;
  private readonly sql;

  constructor(db: Db) {
    this.db = db;
    this.sql = {
      cue: db.prepare<[number], CueRow>('SELECT * FROM obs_item_cues WHERE lineup_item_id = ?'),
      cues: db.prepare<[number], CueRow>(
        'SELECT c.* FROM obs_item_cues c JOIN lineup_items i ON i.id = c.lineup_item_id WHERE i.session_id = ? ORDER BY i.position, i.id',
      ),
      upsert: db.prepare(
        `INSERT INTO obs_item_cues (lineup_item_id, scene_name, hotkey_name) VALUES (?, ?, ?)
         ON CONFLICT(lineup_item_id) DO UPDATE SET scene_name = excluded.scene_name, hotkey_name = excluded.hotkey_name`,
      ),
      delete: db.prepare('DELETE FROM obs_item_cues WHERE lineup_item_id = ?'),
    };
  }

  /** the session's cues in lineup order */
  list(sessionId: number): ItemCue[] {
    return this.sql.cues.all(sessionId).map(toCue);
  }

  /** sets (or, with neither a scene nor a hotkey, removes) an item's cue in one transaction */
  set(cue: ItemCue): void {
    this.db
      .transaction(() => {
        if (cue.sceneName === null && cue.hotkeyName === null) this.sql.delete.run(cue.lineupItemId);
        else this.sql.upsert.run(cue.lineupItemId, cue.sceneName, cue.hotkeyName);
      })
      .immediate();
  }

  /** the obs-websocket requests an item's cue fires; null when the item has no cue */
  requests(lineupItemId: number | null): BatchRequest[] | null {
    if (lineupItemId === null) return null;
    const cue = this.sql.cue.get(lineupItemId);
    if (!cue) return null;
    const requests: BatchRequest[] = [];
    if (cue.scene_name) requests.push({ requestType: 'SetCurrentProgramScene', requestData: { sceneName: cue.scene_name } });
    if (cue.hotkey_name) requests.push({ requestType: 'TriggerHotkeyByName', requestData: { hotkeyName: cue.hotkey_name } });
    return requests;
  }
}
