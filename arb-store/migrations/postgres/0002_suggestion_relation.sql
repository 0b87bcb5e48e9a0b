-- Each suggestion carries the relation the matcher read from both rules texts and its named
-- settlement warnings. Suggestions stored before this migration were made without reading the
-- rules: they keep their polarity's relation and no settlement warnings, and are replaced by the
-- next `match` or catalogue sync.
ALTER TABLE match_suggestions ADD COLUMN relation TEXT NOT NULL DEFAULT 'equivalent';
ALTER TABLE match_suggestions ADD COLUMN settlement JSONB NOT NULL DEFAULT '[]'::jsonb;
UPDATE match_suggestions SET relation = 'inverse' WHERE polarity = 'inverse';
