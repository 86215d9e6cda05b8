// 0130 (#13): planned segment length in whole seconds, so 2.5 minutes is kept (lineup_items is STRICT and its
// planned_minutes column is INTEGER). planned_minutes stays, rounded, for older readers. Append-only.
export const sql = `
ALTER TABLE lineup_items ADD COLUMN planned_seconds INTEGER CHECK (planned_seconds IS NULL OR planned_seconds >= 0);
UPDATE lineup_items SET planned_seconds = planned_minutes * 60;
`;
