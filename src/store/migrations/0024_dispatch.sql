-- 0024: dispatch of residents' orders (送菜, app/menu/suggest.c). The
-- suggestions read the volunteers of a region ring (community, town,
-- district) whose home organisation lies in the subtree holding the
-- order: with this index the ring is answered from the index alone and
-- only the people kept are read, instead of every person of the town
-- (measured in docs/performance.md: the town ring of a 50,000-volunteer
-- district went from 7–35 ms to under 2 ms on SQLite).
CREATE INDEX volunteers_region_home ON volunteers (region_code, home_org_id, status);
-- A station's or team's ring, read by its own organisation (suggest.c
-- does so for subtrees of up to 16 organisations): on PostgreSQL the
-- range above was read through every person of the town otherwise.
CREATE INDEX volunteers_home_region ON volunteers (home_org_id, region_code);
