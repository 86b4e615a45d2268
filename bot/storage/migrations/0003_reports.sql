-- Reports: indexes for the report's GROUP BY queries, evidence for certificate criteria
-- outside the data, and the record of results fed back to a wave's people (G-R4).

-- The CVS sums each respondent's three answers: with the response next to the survey and
-- wave, SQLite streams that GROUP BY from the index instead of sorting.
CREATE INDEX answers_respondent ON answers (survey_id, wave_id, response_id, question_id, score);

-- Follow-up compliance reads when flags were raised, forwarded and closed.
CREATE INDEX flags_raised ON flags (raised_at, forwarded_at, closed_at);

-- A criterion an admin vouched for (e.g. "management_presentation"), with who and when.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    criterion TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX evidence_criterion ON evidence (criterion, recorded_at);

-- Aggregated results of a wave sent back to its invitees and staff.
CREATE TABLE publications (
    id TEXT PRIMARY KEY,
    wave_id TEXT NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL
);
CREATE INDEX publications_wave ON publications (wave_id, published_at);

-- One recipient of a publication. recipient is 'contact:<id>' or 'staff:<id>'; status is
-- pending, sending (taken by an instance), sent or unreachable (no chat on a running
-- channel, or the platform refused).
CREATE TABLE publication_deliveries (
    publication_id TEXT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    channel TEXT,
    address TEXT,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (publication_id, recipient)
);
CREATE INDEX publication_deliveries_status ON publication_deliveries (status, publication_id);
