-- Waves, interaction triggers and follow-up: the outbox the scheduler works from, when a
-- flag's staff alert went out, scheduled-wave keys, and G-F4 action items.

-- Everything the scheduler must do, as rows: send an invitation, a reminder, a staff
-- alert, a flag deadline, close a wave, start a scheduled wave. `key` is the idempotency
-- key (one row per intended message, ever); a claim sets `claimed_until` (a lease) and
-- bumps `attempts`; `finished_at` ends the row. See bot/outbox.py for the guarantee.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until TEXT,
    finished_at TEXT,
    outcome TEXT,
    message_ref TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (finished_at, due_at);
CREATE INDEX outbox_subject ON outbox (subject, kind);

-- A scheduled wave is started once per cron fire time, however many instances run.
ALTER TABLE waves ADD COLUMN schedule_key TEXT;
CREATE UNIQUE INDEX waves_schedule_key ON waves (schedule_key);

CREATE INDEX invitations_contact ON invitations (contact_id, created_at);
-- Invitations go to a person's identities.
CREATE INDEX identities_contact ON identities (contact_id);
CREATE INDEX identities_staff ON identities (staff_id);

-- When the staff alert of a flag went out (NULL: waiting for the daily digest).
ALTER TABLE flags ADD COLUMN alerted_at TEXT;
-- Events of one flag in the order they happened, also within one second.
ALTER TABLE flag_events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- G-F4: a KTO dimension where staff prediction (mirror wave) and customer grade (KTO
-- wave) differ by at least the threshold; tracked like a flag.
CREATE TABLE action_items (
    id TEXT PRIMARY KEY,
    mirror_wave_id TEXT NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
    kto_wave_id TEXT NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
    dimension TEXT NOT NULL,
    staff_mean DOUBLE PRECISION NOT NULL,
    customer_mean DOUBLE PRECISION NOT NULL,
    owner_staff_id TEXT REFERENCES staff(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    closed_at TEXT,
    outcome TEXT,
    UNIQUE (mirror_wave_id, kto_wave_id, dimension)
);
CREATE INDEX action_items_status ON action_items (status, due_at);

CREATE TABLE action_item_events (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES action_items(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX action_item_events_item ON action_item_events (item_id, at);
