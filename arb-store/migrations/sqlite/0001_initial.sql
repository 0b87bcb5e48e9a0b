-- arb-store schema, SQLite. SQLite has no decimal type: money, prices and quantities are TEXT decimal
-- strings (exact, never REAL); timestamps are RFC 3339 TEXT in UTC. Nested values (price grid, fee
-- schedule, market extension, opportunity plan, score parts) are JSON TEXT whose decimals are
-- strings, so no precision is lost.

-- Markets of every venue.
CREATE TABLE events (
    venue             TEXT NOT NULL,
    market_id         TEXT NOT NULL,
    title             TEXT NOT NULL,
    subtitle          TEXT NOT NULL,
    rules             TEXT NOT NULL,
    resolution_source TEXT,
    close_time        TEXT NOT NULL,
    status            TEXT NOT NULL,
    status_result     TEXT,
    price_grid        TEXT NOT NULL,
    size_step         TEXT NOT NULL,
    min_order_qty     TEXT NOT NULL,
    fees              TEXT NOT NULL,
    ext               TEXT NOT NULL,
    PRIMARY KEY (venue, market_id)
);

-- Candidate pairs proposed by the matcher.
CREATE TABLE match_suggestions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    a_venue    TEXT NOT NULL,
    a_market   TEXT NOT NULL,
    b_venue    TEXT NOT NULL,
    b_market   TEXT NOT NULL,
    score      REAL NOT NULL,
    parts      TEXT NOT NULL,
    polarity   TEXT NOT NULL,
    diffs      TEXT NOT NULL,
    warnings   TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- At most one open suggestion per pair of markets (a new one replaces it).
CREATE UNIQUE INDEX match_suggestions_open_uq
    ON match_suggestions (a_venue, a_market, b_venue, b_market) WHERE status = 'open';
CREATE INDEX match_suggestions_status_score ON match_suggestions (status, score DESC, id);

-- Pairs a person confirmed as the same event.
CREATE TABLE verified_pairs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    a_venue       TEXT NOT NULL,
    a_market      TEXT NOT NULL,
    b_venue       TEXT NOT NULL,
    b_market      TEXT NOT NULL,
    polarity      TEXT NOT NULL,
    status        TEXT NOT NULL,
    rules_hash_a  TEXT NOT NULL,
    rules_hash_b  TEXT NOT NULL,
    approved_by   TEXT NOT NULL,
    approved_at   TEXT NOT NULL,
    suggestion_id INTEGER REFERENCES match_suggestions (id),
    UNIQUE (a_venue, a_market, b_venue, b_market)
);
CREATE INDEX verified_pairs_active ON verified_pairs (id) WHERE status = 'active';
CREATE INDEX verified_pairs_status ON verified_pairs (status, id);

-- Audit trail of every pair: who approved, paused or resumed it, when and why.
CREATE TABLE pair_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id INTEGER NOT NULL REFERENCES verified_pairs (id),
    action  TEXT NOT NULL,
    actor   TEXT NOT NULL,
    reason  TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX pair_events_pair ON pair_events (pair_id, id);

-- Detected opportunities (throttled per pair; executed ones always kept).
CREATE TABLE arbitrage_opportunities (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id         INTEGER NOT NULL,
    qty             TEXT NOT NULL,
    total_cost      TEXT NOT NULL,
    profit          TEXT NOT NULL,
    profit_fraction TEXT NOT NULL,
    detected_at     TEXT NOT NULL,
    decision        TEXT NOT NULL,
    decision_detail TEXT,
    plan            TEXT NOT NULL
);
CREATE INDEX arbitrage_opportunities_pair ON arbitrage_opportunities (pair_id, id DESC);

-- The persisted execution state machine.
CREATE TABLE executions (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    pair_id           INTEGER NOT NULL,
    opportunity_id    INTEGER,
    plan              TEXT NOT NULL,
    first_leg_venue   TEXT NOT NULL,
    first_leg_market  TEXT NOT NULL,
    mode              TEXT NOT NULL,
    state             TEXT NOT NULL,
    terminal          BOOLEAN NOT NULL,
    hedge_attempts    INTEGER NOT NULL,
    note              TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
-- Start-up recovery reads the executions still in flight.
CREATE INDEX executions_open ON executions (seq) WHERE NOT terminal;

-- Every order we sent, keyed by the client order id minted before sending.
CREATE TABLE orders (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL UNIQUE,
    execution_id    TEXT,
    role            TEXT NOT NULL,
    venue           TEXT NOT NULL,
    market_id       TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    side            TEXT NOT NULL,
    limit_price     TEXT NOT NULL,
    qty             TEXT NOT NULL,
    time_in_force   TEXT NOT NULL,
    venue_order_id  TEXT,
    status          TEXT NOT NULL,
    filled_qty      TEXT NOT NULL,
    avg_fill_price  TEXT,
    fees_paid       TEXT NOT NULL,
    reason          TEXT,
    updated_at      TEXT NOT NULL
);
CREATE INDEX orders_execution ON orders (execution_id, seq);
CREATE INDEX orders_venue_order ON orders (venue, venue_order_id);

-- Fills reported by the venues, deduplicated by venue and fill id.
CREATE TABLE fills (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    venue           TEXT NOT NULL,
    fill_id         TEXT NOT NULL,
    market_id       TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    side            TEXT NOT NULL,
    price           TEXT NOT NULL,
    qty             TEXT NOT NULL,
    fee             TEXT NOT NULL,
    liquidity       TEXT NOT NULL,
    venue_order_id  TEXT NOT NULL,
    client_order_id TEXT,
    ts              TEXT NOT NULL,
    UNIQUE (venue, fill_id)
);
CREATE INDEX fills_market ON fills (venue, market_id, seq);

-- Contracts held per market and outcome.
CREATE TABLE positions (
    venue        TEXT NOT NULL,
    market_id    TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    qty          TEXT NOT NULL,
    avg_price    TEXT,
    fees_paid    TEXT NOT NULL,
    realized_pnl TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (venue, market_id, outcome)
);

-- Latest best prices per market.
CREATE TABLE price_cache (
    venue     TEXT NOT NULL,
    market_id TEXT NOT NULL,
    yes_bid   TEXT,
    yes_ask   TEXT,
    no_bid    TEXT,
    no_ask    TEXT,
    as_of     TEXT NOT NULL,
    PRIMARY KEY (venue, market_id)
);

-- Profit and loss per UTC day.
CREATE TABLE daily_pnl (
    day        TEXT PRIMARY KEY,
    realized   TEXT NOT NULL,
    locked_in  TEXT NOT NULL,
    unrealized TEXT NOT NULL,
    fees       TEXT NOT NULL,
    executions INTEGER NOT NULL
);
