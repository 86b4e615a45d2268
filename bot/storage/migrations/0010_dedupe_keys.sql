-- Processed-update keys name no user and keep only the hour (bot/storage/sql.py
-- mark_update); the sweep deletes them after UPDATE_RETENTION (bot/scheduler.py). Slack
-- presses used to be keyed by the Slack user id and the second of the press: such keys can
-- no longer match (presses are now keyed by a digest of Slack's trigger id), so they go.
DELETE FROM processed_updates WHERE channel = 'slack' AND update_id LIKE 'press:%';
UPDATE processed_updates SET seen_at = substr(seen_at, 1, 13) || ':00:00Z';
CREATE INDEX processed_updates_seen ON processed_updates (seen_at);
