import type { Migration } from './types.ts'

/**
 * Cases, their stages and text records; tags on audio/video records with their history; the catalogues the
 * completeness rules read (shipped here, editable by the agency); the agency's calendar overrides; full-text
 * search tables. `signatures` is rebuilt so a signature can belong to a text record as well as a media file.
 */
export const m0060: Migration = {
  version: 60,
  name: 'cases',
  up(db) {
    db.exec(`
      CREATE TABLE case_types (
        code  TEXT PRIMARY KEY,
        name  TEXT NOT NULL,
        -- The type's character in case numbers (罚 in 闽医保罚〔2026〕12号).
        abbr  TEXT NOT NULL,
        sort  INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- Documents per stage (003 arts. 7-20). required_for: JSON array of case type codes that must have it.
      CREATE TABLE doc_types (
        code          TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        stage         TEXT NOT NULL CHECK (stage IN ('start', 'investigation', 'decision', 'execution')),
        required_for  TEXT NOT NULL DEFAULT '[]',
        -- The enforcement action this document attests, if any (a hearing record attests a hearing).
        action        TEXT,
        sort          INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- Actions recorded on audio/video; full_av = 1 where the rules make full recording mandatory.
      CREATE TABLE action_types (
        code     TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        stage    TEXT NOT NULL CHECK (stage IN ('start', 'investigation', 'decision', 'execution')),
        full_av  INTEGER NOT NULL DEFAULT 0 CHECK (full_av IN (0, 1)),
        sort     INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE cases (
        id               TEXT PRIMARY KEY,
        case_no          TEXT NOT NULL UNIQUE,
        year             INTEGER NOT NULL,
        seq              INTEGER NOT NULL,
        cause            TEXT NOT NULL,
        source           TEXT NOT NULL CHECK (source IN ('ex_officio', 'application', 'complaint')),
        type             TEXT NOT NULL REFERENCES case_types(code),
        party_kind       TEXT NOT NULL CHECK (party_kind IN ('person', 'organisation')),
        party_name       TEXT NOT NULL,
        party_id_no      TEXT,
        confidentiality  TEXT NOT NULL DEFAULT 'general'
          CHECK (confidentiality IN ('general', 'privacy', 'trade_secret', 'state_secret')),
        major            INTEGER NOT NULL DEFAULT 0 CHECK (major IN (0, 1)),
        stage            TEXT NOT NULL DEFAULT 'start'
          CHECK (stage IN ('start', 'investigation', 'decision', 'execution', 'closed')),
        filed_on         TEXT,
        decided_on       TEXT,
        executed_on      TEXT,
        archive_exception TEXT,
        created_at       TEXT NOT NULL,
        created_by       TEXT NOT NULL REFERENCES users(id),
        updated_at       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX cases_by_filed ON cases(filed_on);

      CREATE TABLE case_handlers (
        case_id  TEXT NOT NULL REFERENCES cases(id),
        user_id  TEXT NOT NULL REFERENCES users(id),
        PRIMARY KEY (case_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX case_handlers_by_user ON case_handlers(user_id);

      -- Enforcement actions that took place (a hearing held on a date...), declared or implied by a document.
      CREATE TABLE case_actions (
        id           TEXT PRIMARY KEY,
        case_id      TEXT NOT NULL REFERENCES cases(id),
        action_type  TEXT NOT NULL REFERENCES action_types(code),
        occurred_on  TEXT NOT NULL,
        place        TEXT,
        note         TEXT,
        created_at   TEXT NOT NULL,
        created_by   TEXT NOT NULL REFERENCES users(id)
      ) STRICT;
      CREATE INDEX case_actions_by_case ON case_actions(case_id);

      -- Text records: the file lives in the vault like any original; a correction is a new version.
      CREATE TABLE text_records (
        id                 TEXT PRIMARY KEY,
        case_id            TEXT NOT NULL REFERENCES cases(id),
        doc_type           TEXT NOT NULL REFERENCES doc_types(code),
        stage              TEXT NOT NULL,
        doc_no             TEXT,
        doc_date           TEXT NOT NULL,
        signers            TEXT NOT NULL DEFAULT '[]',
        sha256             TEXT NOT NULL CHECK (length(sha256) = 64),
        sm3                TEXT,
        size               INTEGER NOT NULL,
        file_kind          TEXT NOT NULL CHECK (file_kind IN ('pdf', 'ofd', 'docx', 'image')),
        original_name      TEXT NOT NULL,
        version            INTEGER NOT NULL DEFAULT 1,
        previous_id        TEXT REFERENCES text_records(id),
        correction_reason  TEXT,
        created_at         TEXT NOT NULL,
        created_by         TEXT NOT NULL REFERENCES users(id)
      ) STRICT;
      CREATE INDEX text_records_by_case ON text_records(case_id);

      -- The current tags of an audio/video record; every version, the first included, is in record_tag_history.
      CREATE TABLE record_tags (
        evidence_id     TEXT PRIMARY KEY REFERENCES evidence(id),
        case_id         TEXT REFERENCES cases(id),
        stage           TEXT,
        action_type     TEXT REFERENCES action_types(code),
        full_recording  INTEGER NOT NULL DEFAULT 0 CHECK (full_recording IN (0, 1)),
        capture_start   TEXT,
        place           TEXT,
        latitude        REAL,
        longitude       REAL,
        fact            TEXT,
        collectors      TEXT NOT NULL DEFAULT '[]',
        supports        TEXT NOT NULL DEFAULT '[]',
        version         INTEGER NOT NULL,
        updated_at      TEXT NOT NULL,
        updated_by      TEXT NOT NULL REFERENCES users(id)
      ) STRICT;
      CREATE INDEX record_tags_by_case ON record_tags(case_id);

      CREATE TABLE record_tag_history (
        id           INTEGER PRIMARY KEY,
        evidence_id  TEXT NOT NULL REFERENCES evidence(id),
        version      INTEGER NOT NULL,
        tags         TEXT NOT NULL,
        reason       TEXT,
        changed_at   TEXT NOT NULL,
        changed_by   TEXT NOT NULL REFERENCES users(id),
        UNIQUE (evidence_id, version)
      ) STRICT;

      CREATE TABLE calendar_days (
        date     TEXT PRIMARY KEY,
        working  INTEGER NOT NULL CHECK (working IN (0, 1)),
        note     TEXT
      ) STRICT;
      CREATE TABLE calendar_years (year INTEGER PRIMARY KEY) STRICT;

      -- Full-text search over CJK bigrams written by the core (see cases/search.ts).
      CREATE VIRTUAL TABLE case_fts USING fts5(body, tokenize = 'unicode61');
      CREATE TABLE case_fts_map (rowid INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE) STRICT;
      CREATE VIRTUAL TABLE record_fts USING fts5(body, tokenize = 'unicode61');
      CREATE TABLE record_fts_map (rowid INTEGER PRIMARY KEY, evidence_id TEXT NOT NULL UNIQUE) STRICT;

      CREATE TABLE signatures_v2 (
        id              TEXT PRIMARY KEY,
        evidence_id     TEXT REFERENCES evidence(id),
        text_record_id  TEXT REFERENCES text_records(id),
        cert_id         TEXT NOT NULL REFERENCES certificates(id),
        path            TEXT NOT NULL,
        p7s_sha256      TEXT NOT NULL,
        signed_at       TEXT NOT NULL,
        ts_status       TEXT NOT NULL DEFAULT 'none' CHECK (ts_status IN ('none', 'pending', 'granted')),
        tsr_path        TEXT,
        ts_time         TEXT,
        CHECK ((evidence_id IS NULL) <> (text_record_id IS NULL))
      ) STRICT;
      INSERT INTO signatures_v2 (id, evidence_id, cert_id, path, p7s_sha256, signed_at, ts_status, tsr_path, ts_time)
        SELECT id, evidence_id, cert_id, path, p7s_sha256, signed_at, ts_status, tsr_path, ts_time FROM signatures;
      DROP TABLE signatures;
      ALTER TABLE signatures_v2 RENAME TO signatures;
      CREATE INDEX signatures_by_evidence ON signatures(evidence_id);
      CREATE INDEX signatures_by_text_record ON signatures(text_record_id);
      CREATE INDEX signatures_pending_ts ON signatures(ts_status) WHERE ts_status = 'pending';

      -- The catalogues as released (cases/catalogue.ts at this migration): a later change to that list needs a
      -- migration of its own, and never changes what this one writes.
      INSERT INTO case_types (code, name, abbr, sort) VALUES
        ('inspection', '行政检查', '检', 0),
        ('compulsory', '行政强制', '强', 1),
        ('penalty', '行政处罚', '罚', 2);
      INSERT INTO action_types (code, name, stage, full_av, sort) VALUES
        ('onsite_inspection', '现场检查', 'investigation', 0, 0),
        ('inquiry', '询问', 'investigation', 0, 1),
        ('sealing', '查封扣押', 'investigation', 1, 2),
        ('preservation', '证据先行登记保存', 'investigation', 1, 3),
        ('sampling', '抽样取证', 'investigation', 1, 4),
        ('compulsory_onsite', '现场实施强制措施', 'investigation', 1, 5),
        ('notify_opinion', '告知执法意见', 'decision', 1, 6),
        ('hearing', '听证', 'decision', 1, 7),
        ('direct_service', '直接送达', 'execution', 0, 8),
        ('lien_service', '留置送达', 'execution', 1, 9),
        ('public_notice_service', '公告送达', 'execution', 0, 10),
        ('other', '其他执法活动', 'investigation', 0, 11);
      INSERT INTO doc_types (code, name, stage, required_for, action, sort) VALUES
        ('filing_approval', '立案审批表', 'start', '["penalty"]', NULL, 0),
        ('application_record', '申请及受理材料', 'start', '[]', NULL, 1),
        ('complaint_record', '投诉举报登记表', 'start', '[]', NULL, 2),
        ('transfer_letter', '案件移送书', 'start', '[]', NULL, 3),
        ('onsite_record', '现场笔录', 'investigation', '["inspection"]', 'onsite_inspection', 4),
        ('inquiry_record', '询问笔录', 'investigation', '[]', 'inquiry', 5),
        ('inquiry_notice', '询问通知书', 'investigation', '[]', NULL, 6),
        ('sealing_decision', '查封扣押决定书', 'investigation', '["compulsory"]', 'sealing', 7),
        ('sealing_inventory', '查封扣押财物清单', 'investigation', '["compulsory"]', NULL, 8),
        ('preservation_notice', '证据先行登记保存通知书', 'investigation', '[]', 'preservation', 9),
        ('sampling_record', '抽样取证记录', 'investigation', '[]', 'sampling', 10),
        ('assistance_letter', '协助调查函', 'investigation', '[]', NULL, 11),
        ('appraisal_commission', '鉴定（审计）委托书', 'investigation', '[]', NULL, 12),
        ('rights_notice', '事先告知书', 'decision', '["penalty"]', 'notify_opinion', 13),
        ('statement_record', '陈述申辩笔录或放弃声明', 'decision', '[]', NULL, 14),
        ('hearing_record', '听证笔录', 'decision', '[]', 'hearing', 15),
        ('legal_review_record', '法制审核记录', 'decision', '[]', NULL, 16),
        ('collective_discussion', '集体讨论记录', 'decision', '[]', NULL, 17),
        ('decision_document', '处理决定书', 'decision', '["penalty","compulsory"]', NULL, 18),
        ('service_receipt', '送达回证', 'execution', '["penalty","compulsory"]', NULL, 19),
        ('lien_service_record', '留置送达记录', 'execution', '[]', 'lien_service', 20),
        ('public_notice_record', '公告送达记录', 'execution', '[]', 'public_notice_service', 21),
        ('performance_record', '履行及整改情况记录', 'execution', '[]', NULL, 22),
        ('court_enforcement', '申请法院强制执行材料', 'execution', '[]', NULL, 23),
        ('closing_report', '结案报告', 'execution', '["penalty","compulsory"]', NULL, 24);
    `)
  },
}
