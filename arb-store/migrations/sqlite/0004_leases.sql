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
