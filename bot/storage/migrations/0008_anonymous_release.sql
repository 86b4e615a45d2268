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

-- Anonymous answers stored before batches existed: one date per wave (its last), and
-- outside waves one date per month (its last), so no day singles one out; the language
-- is not kept. Their attributes stay as they were (see docs/reliability.md).
UPDATE responses SET completed_at = (
    SELECT MAX(r2.completed_at) FROM responses r2
    WHERE r2.anonymous = 1 AND r2.survey_id = responses.survey_id AND r2.wave_id = responses.wave_id
) WHERE anonymous = 1 AND wave_id IS NOT NULL;
UPDATE responses SET completed_at = (
    SELECT MAX(r2.completed_at) FROM responses r2
    WHERE r2.anonymous = 1 AND r2.survey_id = responses.survey_id AND r2.wave_id IS NULL
    AND substr(r2.completed_at, 1, 7) = substr(responses.completed_at, 1, 7)
) WHERE anonymous = 1 AND wave_id IS NULL;
UPDATE responses SET language = '' WHERE anonymous = 1;
