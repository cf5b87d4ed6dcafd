import type { Migration } from './types.ts'

/**
 * Search that finds parts of words (issue 20): a partial case number (`罚〔2026〕4`), a place (`门诊药房`), a fact,
 * a file name (`ZD_20261120`). The bigram index of 0060 finds whole Chinese bigrams and whole Latin words only;
 * these trigram indexes hold the raw text and find any substring of three or more characters. Their rowids are
 * those of case_fts_map / record_fts_map, so a query may combine both indexes (cases/search.ts planRowids).
 *
 * Backfilled here from the current rows, with the fields cases/search.ts indexes, separated by newlines. Recordings
 * never tagged had no index entry: they get one now (an empty bigram body until they are first tagged), so the
 * recordings page finds them by file name.
 */
export const m0230: Migration = {
  version: 230,
  name: 'substring_search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE case_trigram USING fts5(body, tokenize = 'trigram');
      CREATE VIRTUAL TABLE record_trigram USING fts5(body, tokenize = 'trigram');

      INSERT INTO record_fts_map (evidence_id)
        SELECT id FROM evidence WHERE id NOT IN (SELECT evidence_id FROM record_fts_map) ORDER BY ingested_at, id;
      INSERT INTO record_fts (rowid, body)
        SELECT rowid, '' FROM record_fts_map WHERE rowid NOT IN (SELECT rowid FROM record_fts);

      INSERT INTO case_trigram (rowid, body)
        SELECT m.rowid, concat_ws(char(10), c.case_no, c.cause, c.party_name, c.party_id_no,
          (SELECT group_concat(concat_ws(char(10), u.display_name, u.badge_no), char(10))
             FROM case_handlers h JOIN users u ON u.id = h.user_id WHERE h.case_id = c.id),
          (SELECT group_concat(place, char(10)) FROM (SELECT DISTINCT place FROM case_actions a
             WHERE a.case_id = c.id AND a.place IS NOT NULL)))
        FROM case_fts_map m JOIN cases c ON c.id = m.case_id;

      INSERT INTO record_trigram (rowid, body)
        SELECT m.rowid, concat_ws(char(10), coalesce(c.case_no, e.case_no), coalesce(t.place, e.place),
          coalesce(t.fact, e.fact), a.name, e.original_name,
          (SELECT group_concat(u.display_name, char(10)) FROM json_each(coalesce(t.collectors, '[]')) j
             JOIN users u ON u.id = j.value))
        FROM record_fts_map m JOIN evidence e ON e.id = m.evidence_id
        LEFT JOIN record_tags t ON t.evidence_id = e.id LEFT JOIN cases c ON c.id = t.case_id
        LEFT JOIN action_types a ON a.code = t.action_type;
    `)
  },
}
