-- Kandidatmonitor schema. Facts plus a small current-state row per candidate; statuses
-- that depend on the clock (Venter på eksamensstart / Har tilgang) are derived at read time.
-- Timestamps are naive UTC.

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS counties (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS municipalities (
    id INTEGER PRIMARY KEY, county_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schools (
    id INTEGER PRIMARY KEY, org_no TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    municipality_id INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS subjects (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, two_part BOOLEAN NOT NULL,
    part2_start TIME);  -- Del 2 start for two-part subjects (SPEC §2)

CREATE TABLE IF NOT EXISTS exam_groups (
    id INTEGER PRIMARY KEY, school_id INTEGER NOT NULL, name TEXT NOT NULL,
    subject_code TEXT NOT NULL, exam_date DATE NOT NULL,
    access_starts_at TIMESTAMP NOT NULL,  -- 09:00, or Del 2 start for two-part
    day_password_hash TEXT);

CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    group_id INTEGER NOT NULL, school_id INTEGER NOT NULL, password_hash TEXT,
    deleted BOOLEAN NOT NULL DEFAULT FALSE);

CREATE TABLE IF NOT EXISTS candidate_state (
    candidate_id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    absence TEXT,                      -- DOCUMENTED | UNDOCUMENTED
    posted BOOLEAN NOT NULL DEFAULT FALSE,
    progress_1 TEXT,                   -- NULL on one-part exams
    progress_2 TEXT NOT NULL DEFAULT 'NOT_UPLOADED',
    -- Written by every login, in bursts scattered over the whole table. Stored uncompressed:
    -- updating a compressed (DICT_FSST) string vector decompresses all its 2,048 values,
    -- 5x the cost of an update here (a batch of 20 logins: 9.8 ms against 1.7 ms).
    access_session_id TEXT USING COMPRESSION uncompressed,   -- the one session with access
    waiting_session_id TEXT USING COMPRESSION uncompressed,  -- newest session on the authorisation page
    latest_session_id TEXT USING COMPRESSION uncompressed,
    latest_ip TEXT USING COMPRESSION uncompressed,
    day_password_failures INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP);

CREATE TABLE IF NOT EXISTS login_sessions (
    id TEXT PRIMARY KEY, candidate_id INTEGER NOT NULL, state TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL, last_seen_at TIMESTAMP NOT NULL, ip TEXT,
    user_agent TEXT, client_hints TEXT, authorized_at TIMESTAMP, authorized_by TEXT);
CREATE INDEX IF NOT EXISTS login_sessions_candidate ON login_sessions (candidate_id);

CREATE TABLE IF NOT EXISTS session_ips (
    session_id TEXT NOT NULL, ip TEXT NOT NULL, first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL, PRIMARY KEY (session_id, ip));

CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY, candidate_id INTEGER NOT NULL,
    part TEXT,                          -- ExamPart; NULL until chosen on two-part exams
    name TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT,
    uploaded_at TIMESTAMP NOT NULL, uploaded_by TEXT NOT NULL, uploaded_by_role TEXT NOT NULL,
    delivered_at TIMESTAMP, delivered_by TEXT, deleted_at TIMESTAMP);
CREATE INDEX IF NOT EXISTS files_candidate ON files (candidate_id);

-- The exam task per subject and part (Eksamen, or Del 2: Del 1 is handed out on paper).
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY, subject_code TEXT NOT NULL, part TEXT NOT NULL, name TEXT NOT NULL,
    size BIGINT NOT NULL, sha256 TEXT NOT NULL, added_at TIMESTAMP NOT NULL);

CREATE SEQUENCE IF NOT EXISTS activity_log_seq;
CREATE TABLE IF NOT EXISTS activity_log (
    id BIGINT NOT NULL DEFAULT nextval('activity_log_seq'),
    occurred_at TIMESTAMP NOT NULL, candidate_id INTEGER, school_id INTEGER, event TEXT NOT NULL,
    detail TEXT, session_id TEXT, actor_id TEXT NOT NULL, actor_name TEXT,
    actor_role TEXT NOT NULL, actor_ip TEXT, state_before TEXT, state_after TEXT);
CREATE INDEX IF NOT EXISTS activity_log_candidate ON activity_log (candidate_id);

CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
    password_hash TEXT NOT NULL);  -- '' for a user who signs in through OIDC only
-- Added after the first release (a database of that release gets them here):
ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled BOOLEAN DEFAULT FALSE;
ALTER TABLE users ADD COLUMN IF NOT EXISTS email TEXT;
ALTER TABLE users ADD COLUMN IF NOT EXISTS oidc_subject TEXT;
ALTER TABLE users ADD COLUMN IF NOT EXISTS language TEXT;  -- 'nb' or 'nn'; NULL: bokmål
ALTER TABLE candidate_state ADD COLUMN IF NOT EXISTS first_session_id TEXT;  -- the exam day's first login
-- Del 1 of a two-part exam sent by post ("posted" is Eksamen or Del 2). Earlier releases posted
-- both parts at once: their Del 1 keeps "Sendes i posten".
ALTER TABLE candidate_state ADD COLUMN IF NOT EXISTS posted_1 BOOLEAN DEFAULT FALSE;
UPDATE candidate_state SET posted_1 = TRUE WHERE posted AND progress_1 = 'SENT_BY_POST' AND NOT posted_1;
CREATE TABLE IF NOT EXISTS user_scopes (
    username TEXT NOT NULL, kind TEXT NOT NULL, ref_id INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS school_versions (
    school_id INTEGER PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0);

-- The last time a school administrator unlocked a login's delays (kind: CANDIDATE or STAFF);
-- every server process reads it when a delay would refuse an attempt.
CREATE TABLE IF NOT EXISTS login_unlocks (
    kind TEXT NOT NULL, account TEXT NOT NULL, unlocked_at TIMESTAMP NOT NULL, PRIMARY KEY (kind, account));

-- Login sessions ended by logging out (staff and candidates): their cookies no longer act.
CREATE TABLE IF NOT EXISTS ended_sessions (session_id TEXT PRIMARY KEY, ended_at TIMESTAMP NOT NULL);

CREATE SEQUENCE IF NOT EXISTS feedback_seq;
CREATE TABLE IF NOT EXISTS feedback (
    id BIGINT PRIMARY KEY, submitted_at TIMESTAMP NOT NULL, username TEXT NOT NULL,
    role TEXT NOT NULL, ip TEXT, page TEXT NOT NULL, text TEXT NOT NULL);
