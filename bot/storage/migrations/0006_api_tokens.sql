-- Bearer tokens for the HTTP API. Only a SHA-256 hash of each token is kept: the token
-- itself is shown once, when it is made. scope: read or write (write includes read).
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
