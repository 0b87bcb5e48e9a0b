-- The semantic verifier's verdicts (an LLM judge's reading of two markets' rules), cached so an
-- unchanged pair is judged once. Keyed by both rules texts' SHA-256 and a SHA-256 of the rest of
-- what the judge saw (titles, outcome labels, resolution sources) and its model: the markets of
-- one Polymarket event share a rules text and must not share a verdict. Never holds the API key.
-- (Version 0002 belongs to the matcher's relation column.)
CREATE TABLE verifier_verdicts (
    rules_hash_a TEXT NOT NULL,
    rules_hash_b TEXT NOT NULL,
    context_hash TEXT NOT NULL,
    relation     TEXT NOT NULL,
    differences  TEXT NOT NULL,
    model        TEXT NOT NULL,
    judged_at    TEXT NOT NULL,
    PRIMARY KEY (rules_hash_a, rules_hash_b, context_hash)
);
