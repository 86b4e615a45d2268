-- API requests sent with an Idempotency-Key (bot/api/idempotency.py), per token. Only a
-- SHA-256 of the request (method, path and body) is kept, never the body itself; the
-- answer (status and JSON body) is kept to give it again when the request is retried.
-- status is NULL while the first request is still being handled. A row lives 24 hours.
CREATE TABLE idempotency_keys (
    token_id TEXT NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    response TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
