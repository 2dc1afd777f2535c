-- 0014: organisation search. Each organisation keeps the names on its path
-- from the root (a JSON array, shown by pickers as 联合会 › 协会 › 工作站),
-- the pinyin initials of its own name, and one lower-case text of all its
-- path's names and initials that a search term is matched in. The server
-- fills them for existing rows at start (pinyin needs C) and keeps them on
-- create, rename and move; NULL means "not filled yet".
ALTER TABLE orgs ADD COLUMN path_names TEXT;
ALTER TABLE orgs ADD COLUMN initials TEXT;
ALTER TABLE orgs ADD COLUMN search_text TEXT;
-- the name as hex of its GBK bytes with numbers zero-padded: orders names
-- in pinyin order, 第9 before 第10, the same under any collation
ALTER TABLE orgs ADD COLUMN sort_key TEXT;
