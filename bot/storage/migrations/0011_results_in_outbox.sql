-- Published results go through the outbox (bot/reports/publish.py): one row of kind
-- 'result' per recipient, keyed by the wave and the recipient, with the outbox's lease,
-- bounded tries and admin notice. The rows of the old queue move there, so an upgrade
-- loses nothing: pending ones are due at once; ones an instance was sending when it
-- stopped are due with a lease that ran out (in doubt: where the platform can tell, it
-- is asked before they are sent again); sent and unreachable ones are finished with that
-- outcome, so publishing again still skips the people who got them. Where one person has
-- rows in several publications, a row that was sent or queued wins over an unreachable one.
INSERT INTO outbox (id, key, kind, subject, due_at, attempts, claimed_until, finished_at,
    outcome, created_at)
SELECT d.publication_id || ':' || d.recipient,
    'result:' || p.wave_id || ':' || d.recipient,
    'result',
    p.wave_id,
    p.published_at,
    CASE WHEN d.status = 'sending' THEN 1 ELSE 0 END,
    CASE WHEN d.status = 'sending' THEN p.published_at END,
    CASE WHEN d.status = 'sent' THEN COALESCE(d.sent_at, p.published_at) END,
    CASE WHEN d.status = 'sent' THEN 'sent' END,
    p.published_at
FROM publication_deliveries d JOIN publications p ON p.id = d.publication_id
WHERE d.status IN ('pending', 'sending', 'sent')
ON CONFLICT (key) DO NOTHING;

INSERT INTO outbox (id, key, kind, subject, due_at, finished_at, outcome, created_at)
SELECT d.publication_id || ':' || d.recipient,
    'result:' || p.wave_id || ':' || d.recipient,
    'result',
    p.wave_id,
    p.published_at,
    COALESCE(d.sent_at, p.published_at),
    'unreachable',
    p.published_at
FROM publication_deliveries d JOIN publications p ON p.id = d.publication_id
WHERE d.status NOT IN ('pending', 'sending', 'sent')
ON CONFLICT (key) DO NOTHING;

DROP TABLE publication_deliveries;
