-- Klantstem schema, version 1. Portable SQL for SQLite and PostgreSQL:
-- text ids (random, so row order reveals nothing), times as UTC ISO text, 0/1 integers.
-- {without_rowid} becomes WITHOUT ROWID on SQLite, so an anonymous row's position in
-- the table does not betray when it was written.

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT,
    language TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT,
    language TEXT,
    timezone TEXT,
    contact_person_id TEXT REFERENCES staff(id) ON DELETE SET NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A person on one platform: a Telegram user, a Slack user, a console user.
CREATE TABLE identities (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
    staff_id TEXT REFERENCES staff(id) ON DELETE SET NULL,
    language TEXT,
    unreachable_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

-- Every questionnaire version that was used, for the report's appendix.
CREATE TABLE surveys (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE waves (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    survey_version INTEGER NOT NULL,
    label TEXT NOT NULL,
    population TEXT NOT NULL DEFAULT '{}',
    opened_at TEXT NOT NULL,
    closes_at TEXT,
    closed_at TEXT,
    created_by TEXT
);

-- Who was asked. status: pending, sent, unreachable, started, done. For an anonymous
-- answer the invitation only becomes 'done': answered_at stays empty.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    wave_id TEXT REFERENCES waves(id) ON DELETE CASCADE,
    survey_id TEXT NOT NULL,
    contact_id TEXT REFERENCES contacts(id) ON DELETE CASCADE,
    staff_id TEXT REFERENCES staff(id) ON DELETE CASCADE,
    touchpoint TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    due_at TEXT NOT NULL,
    sent_at TEXT,
    reminded_at TEXT,
    answered_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX invitations_due ON invitations (status, due_at);
CREATE INDEX invitations_wave ON invitations (wave_id, status);

-- One open conversation per identity: the engine's session as JSON, with the revision
-- that every save checks. Deleted when the conversation ends.
CREATE TABLE sessions (
    identity_id TEXT PRIMARY KEY REFERENCES identities(id) ON DELETE CASCADE,
    survey_id TEXT NOT NULL,
    wave_id TEXT,
    invitation_id TEXT,
    address TEXT NOT NULL,
    data TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- A completed questionnaire. Anonymous: contact_id and identity_id are NULL and
-- completed_at is coarsened to the day; nothing else here points to a person.
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    survey_version INTEGER NOT NULL,
    wave_id TEXT,
    anonymous INTEGER NOT NULL,
    contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
    identity_id TEXT REFERENCES identities(id) ON DELETE SET NULL,
    language TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    completed_at TEXT NOT NULL,
    CHECK (anonymous = 0 OR (contact_id IS NULL AND identity_id IS NULL))
){without_rowid};
CREATE INDEX responses_survey ON responses (survey_id, wave_id, completed_at);

-- Survey and wave are repeated here so histograms are one index-only GROUP BY.
CREATE TABLE answers (
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    wave_id TEXT,
    score INTEGER,
    choice TEXT,
    text TEXT,
    PRIMARY KEY (response_id, question_id)
){without_rowid};
CREATE INDEX answers_histogram ON answers (survey_id, wave_id, question_id, score);

CREATE TABLE processed_updates (
    channel TEXT NOT NULL,
    update_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
);

-- A named promoter or detractor to follow up (G-F1..G-F3), with its full history.
CREATE TABLE flags (
    id TEXT PRIMARY KEY,
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_staff_id TEXT REFERENCES staff(id) ON DELETE SET NULL,
    raised_at TEXT NOT NULL,
    forwarded_at TEXT,
    closed_at TEXT,
    outcome TEXT
);
CREATE INDEX flags_status ON flags (status, raised_at);

CREATE TABLE flag_events (
    id TEXT PRIMARY KEY,
    flag_id TEXT NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT
);
CREATE INDEX flag_events_flag ON flag_events (flag_id, at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
