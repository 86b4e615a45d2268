-- Earlier measurements imported from a CSV file (`klantstem responses import`). An imported
-- wave is an ordinary closed wave whose people were not invited through Klantstem, so:
-- imported_at: when it was imported (NULL: a wave run here);
-- invited_count: how many people that measurement asked (NULL: unknown), which reports
--   read where a wave run here counts its invitations;
-- fingerprint: a hash of the wave's answers, so importing the same file again changes
--   nothing and a different file under the same label is refused.
ALTER TABLE waves ADD COLUMN imported_at TEXT;
ALTER TABLE waves ADD COLUMN invited_count INTEGER;
ALTER TABLE waves ADD COLUMN fingerprint TEXT;
CREATE INDEX waves_label ON waves (label);
-- Two imports of the same measurement at once (PostgreSQL) cannot both add it.
CREATE UNIQUE INDEX waves_imported_label ON waves (label) WHERE imported_at IS NOT NULL;
