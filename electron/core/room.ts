// The live room as the domains see it (room automation, issue #16): events read from the console and the few actions
// LiveCue can take in the room. The Channels module implements it (`ChannelsModule.room()`); it lives in the core so
// that automation and channels share it without importing each other. Names and shapes are fixed; add optional members only.

export type RoomEventKind = 'comment' | 'enter' | 'follow' | 'order' | 'reply';

export interface RoomEvent {
  /** stable per message (dedupe key); comments keep the console's own id when it has one */
  id: string;
  kind: RoomEventKind;
  ts: number; // epoch ms
  nickname: string;
  text: string; // '' for enter/follow/order
  sessionId: number | null;
}

export interface RoomControl {
  /** true while the bridge is connected to a console that is live */
  readonly live: boolean;
  /** post a comment as the shop (rejects with CoreError when not live / the console refuses) */
  sendComment(text: string): Promise<void>;
  /** 上墙: pin the viewer comment with this RoomEvent id to the screen */
  pinComment(eventId: string): Promise<void>;
  /** 讲解 the row with this 序号 (re-pop: 结束讲解 then 讲解 when it is already on) */
  explainSeq(seq: number): Promise<void>;
  endExplain(): Promise<void>;
  /** every comment/enter/follow/order/reply as the bridge reads it; returns an unsubscribe */
  onEvent(fn: (e: RoomEvent) => void): () => void;
}
