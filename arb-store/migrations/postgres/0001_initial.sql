-- arb-store schema, PostgreSQL. Money, prices and quantities are NUMERIC (exact); timestamps are
-- TIMESTAMPTZ (UTC); identifiers compare byte-wise (COLLATE "C") so ordering matches SQLite.
-- Nested values (price grid, fee schedule, market extension, opportunity plan, score parts) are
-- JSONB whose decimals are strings, so no precision is lost.

-- Markets of every venue.
CREATE TABLE events (
    venue             TEXT COLLATE "C" NOT NULL,
    market_id         TEXT COLLATE "C" NOT NULL,
    title             TEXT NOT NULL,
    subtitle          TEXT NOT NULL,
    rules             TEXT NOT NULL,
    resolution_source TEXT,
    close_time        TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL,
    status_result     TEXT,
    price_grid        JSONB NOT NULL,
    size_step         NUMERIC NOT NULL,
    min_order_qty     NUMERIC NOT NULL,
    fees              JSONB NOT NULL,
    ext               JSONB NOT NULL,
    PRIMARY KEY (venue, market_id)
);

-- Candidate pairs proposed by the matcher.
CREATE TABLE match_suggestions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    a_venue    TEXT COLLATE "C" NOT NULL,
    a_market   TEXT COLLATE "C" NOT NULL,
    b_venue    TEXT COLLATE "C" NOT NULL,
    b_market   TEXT COLLATE "C" NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    parts      JSONB NOT NULL,
    polarity   TEXT NOT NULL,
    diffs      JSONB NOT NULL,
    warnings   JSONB NOT NULL,
    status     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
-- At most one open suggestion per pair of markets (a new one replaces it).
CREATE UNIQUE INDEX match_suggestions_open_uq
    ON match_suggestions (a_venue, a_market, b_venue, b_market) WHERE status = 'open';
CREATE INDEX match_suggestions_status_score ON match_suggestions (status, score DESC, id);

-- Pairs a person confirmed as the same event.
CREATE TABLE verified_pairs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    a_venue       TEXT COLLATE "C" NOT NULL,
    a_market      TEXT COLLATE "C" NOT NULL,
    b_venue       TEXT COLLATE "C" NOT NULL,
    b_market      TEXT COLLATE "C" NOT NULL,
    polarity      TEXT NOT NULL,
    status        TEXT NOT NULL,
    rules_hash_a  TEXT NOT NULL,
    rules_hash_b  TEXT NOT NULL,
    approved_by   TEXT NOT NULL,
    approved_at   TIMESTAMPTZ NOT NULL,
    suggestion_id BIGINT REFERENCES match_suggestions (id),
    UNIQUE (a_venue, a_market, b_venue, b_market)
);
CREATE INDEX verified_pairs_active ON verified_pairs (id) WHERE status = 'active';
CREATE INDEX verified_pairs_status ON verified_pairs (status, id);

-- Audit trail of every pair: who approved, paused or resumed it, when and why.
CREATE TABLE pair_events (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pair_id BIGINT NOT NULL REFERENCES verified_pairs (id),
    action  TEXT NOT NULL,
    actor   TEXT NOT NULL,
    reason  TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX pair_events_pair ON pair_events (pair_id, id);

-- Detected opportunities (throttled per pair; executed ones always kept).
CREATE TABLE arbitrage_opportunities (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pair_id         BIGINT NOT NULL,
    qty             NUMERIC NOT NULL,
    total_cost      NUMERIC NOT NULL,
    profit          NUMERIC NOT NULL,
    profit_fraction NUMERIC NOT NULL,
    detected_at     TIMESTAMPTZ NOT NULL,
    decision        TEXT NOT NULL,
    decision_detail TEXT,
    plan            JSONB NOT NULL
);
CREATE INDEX arbitrage_opportunities_pair ON arbitrage_opportunities (pair_id, id DESC);

-- The persisted execution state machine.
CREATE TABLE executions (
    id                TEXT COLLATE "C" PRIMARY KEY,
    seq               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    pair_id           BIGINT NOT NULL,
    opportunity_id    BIGINT,
    plan              JSONB NOT NULL,
    first_leg_venue   TEXT NOT NULL,
    first_leg_market  TEXT NOT NULL,
    mode              TEXT NOT NULL,
    state             TEXT NOT NULL,
    terminal          BOOLEAN NOT NULL,
    hedge_attempts    BIGINT NOT NULL,
    note              TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
-- Start-up recovery reads the executions still in flight.
CREATE INDEX executions_open ON executions (seq) WHERE NOT terminal;

-- Every order we sent, keyed by the client order id minted before sending.
CREATE TABLE orders (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_order_id TEXT COLLATE "C" NOT NULL UNIQUE,
    execution_id    TEXT COLLATE "C",
    role            TEXT NOT NULL,
    venue           TEXT COLLATE "C" NOT NULL,
    market_id       TEXT COLLATE "C" NOT NULL,
    outcome         TEXT NOT NULL,
    side            TEXT NOT NULL,
    limit_price     NUMERIC NOT NULL,
    qty             NUMERIC NOT NULL,
    time_in_force   TEXT NOT NULL,
    venue_order_id  TEXT,
    status          TEXT NOT NULL,
    filled_qty      NUMERIC NOT NULL,
    avg_fill_price  NUMERIC,
    fees_paid       NUMERIC NOT NULL,
    reason          TEXT,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_execution ON orders (execution_id, seq);
CREATE INDEX orders_venue_order ON orders (venue, venue_order_id);

-- Fills reported by the venues, deduplicated by venue and fill id.
CREATE TABLE fills (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue           TEXT COLLATE "C" NOT NULL,
    fill_id         TEXT COLLATE "C" NOT NULL,
    market_id       TEXT COLLATE "C" NOT NULL,
    outcome         TEXT NOT NULL,
    side            TEXT NOT NULL,
    price           NUMERIC NOT NULL,
    qty             NUMERIC NOT NULL,
    fee             NUMERIC NOT NULL,
    liquidity       TEXT NOT NULL,
    venue_order_id  TEXT NOT NULL,
    client_order_id TEXT,
    ts              TIMESTAMPTZ NOT NULL,
    UNIQUE (venue, fill_id)
);
CREATE INDEX fills_market ON fills (venue, market_id, seq);

-- Contracts held per market and outcome.
CREATE TABLE positions (
    venue        TEXT COLLATE "C" NOT NULL,
    market_id    TEXT COLLATE "C" NOT NULL,
    outcome      TEXT NOT NULL,
    qty          NUMERIC NOT NULL,
    avg_price    NUMERIC,
    fees_paid    NUMERIC NOT NULL,
    realized_pnl NUMERIC NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (venue, market_id, outcome)
);

-- Latest best prices per market.
CREATE TABLE price_cache (
    venue     TEXT COLLATE "C" NOT NULL,
    market_id TEXT COLLATE "C" NOT NULL,
    yes_bid   NUMERIC,
    yes_ask   NUMERIC,
    no_bid    NUMERIC,
    no_ask    NUMERIC,
    as_of     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (venue, market_id)
);

-- Profit and loss per UTC day.
CREATE TABLE daily_pnl (
    day        DATE PRIMARY KEY,
    realized   NUMERIC NOT NULL,
    locked_in  NUMERIC NOT NULL,
    unrealized NUMERIC NOT NULL,
    fees       NUMERIC NOT NULL,
    executions BIGINT NOT NULL
);
