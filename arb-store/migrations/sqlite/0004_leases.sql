-- Leases: which process trades which pair (`pair:<id>`), and which processes are members of a
-- lease group (`member:<group>:<owner>`). Times are milliseconds since the Unix epoch on the
-- database's clock, so every process compares against one clock. A lease row is never deleted:
-- a released or expired lease keeps its token, and the next holder's token is greater
-- (fencing: execution writes carry the token and are refused when it is no longer current).
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    lease_group TEXT NOT NULL,
    token       INTEGER NOT NULL CHECK (token > 0),
    acquired_ms INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL
);

-- Account-wide exposure budget: each execution being started reserves its cost for a while (until
-- it ended and every daemon reconciled its fills), so daemons sharing a venue account count each
-- other's trades in flight against the total exposure limit. Expired rows are deleted on the next
-- reservation.
CREATE TABLE exposure_reservations (
    id         TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    amount     TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
