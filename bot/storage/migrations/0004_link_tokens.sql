-- Personal deep links (`https://t.me/<bot>?start=<token>`): one per contact and channel.
-- Only a SHA-256 hash of the token is kept, so the table does not hand out working links;
-- making a new link for a contact replaces the old one. A link works once: the first
-- platform user who opens it is linked to the contact (that same user may open it again).
CREATE TABLE link_tokens (
    token_hash TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    used_at TEXT,
    UNIQUE (channel, contact_id)
);
