-- Anonymous answers are released in batches (bot/release.py): until then a finished
-- anonymous conversation is held here, still tied to its person as an unfinished
-- conversation is. A release turns a batch of at least k held rows into responses in one
-- transaction (random ids, one date, coarsened attributes) and deletes them.
CREATE TABLE held_responses (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    survey_version INTEGER NOT NULL,
    wave_id TEXT REFERENCES waves(id) ON DELETE CASCADE,
    invitation_id TEXT REFERENCES invitations(id) ON DELETE SET NULL,
    identity_id TEXT REFERENCES identities(id) ON DELETE CASCADE,
    attributes TEXT NOT NULL DEFAULT '{}',
    answers TEXT NOT NULL,
    held_at TEXT NOT NULL
);
CREATE INDEX held_responses_survey ON held_responses (survey_id, wave_id);

-- Anonymous answers of a wave that closed with fewer than k of them: counted in the
-- response rate, never stored as answers.
ALTER TABLE waves ADD COLUMN withheld_count INTEGER NOT NULL DEFAULT 0;
