// 0100: Channels room messages — replies (回复) are stored beside comments, and a comment put on screen (上墙) says when
// the console confirmed it. Existing rows are comments.
export const sql = `
ALTER TABLE channels_comments ADD COLUMN kind TEXT NOT NULL DEFAULT 'comment' CHECK (kind IN ('comment', 'reply', 'stick'));
ALTER TABLE channels_comments ADD COLUMN stuck_at INTEGER;
`;
