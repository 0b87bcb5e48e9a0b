-- Leases: which process trades which pair (`pair:<id>`), and which processes are members of a
-- lease group (`member:<group>:<owner>`). Times are milliseconds since the Unix epoch on the
-- database's clock, so every process compares against one clock. A lease row is never deleted:
-- a released or expired lease keeps its token, and the next holder's token is greater
-- (fencing: execution writes carry the token and are refused when it is no longer current).
CREATE TABLE leases (
    name        TEXT COLLATE "C" PRIMARY KEY,
    owner       TEXT COLLATE "C" NOT NULL,
    host        TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    lease_group TEXT NOT NULL,
    token       BIGINT NOT NULL CHECK (token > 0),
    acquired_ms BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL
);
