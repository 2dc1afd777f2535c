// The demo district: the network of the Wenjiang model with synthetic
// people, loaded by `zhiyuan demo` into a new installation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

test('zhiyuan demo loads the district and the tree prints its sentence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zhiyuan-demo-'));
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  const db = 'sqlite:' + join(dir, 'demo.db');
  const env = { ...process.env, ZHIYUAN_ADMIN_PASSWORD: 'demo-password-1' };
  try {
    const out = execFileSync(bin, ['demo', '--db', db, '--volunteers', '3000', '--key-file', join(dir, 'k'), '--log-level', 'warn'], { env, encoding: 'utf8' });
    assert.match(out, /demo district loaded/);
    assert.throws(() => execFileSync(bin, ['demo', '--db', db, '--key-file', join(dir, 'k'), '--log-level', 'error'], { env, stdio: 'pipe' }),
      'a second load is refused');
    const srv = await startServer({ args: ['--db', db, '--key-file', join(dir, 'k')], adminPassword: 'demo-password-1' });
    try {
      const c = new Client(srv.url);
      await c.login('admin', 'demo-password-1');
      const me = (await c.get('/api/v1/me')).json;
      const t = (await c.get(`/api/v1/organizations/${me.org_id}/tree`)).json.summary;
      assert.deepEqual([t.federation, t.association, t.team, t.team_professional, t.station, t.social_work_agency],
        [1, 11, 204, 39, 114, 9]);
      assert.equal(t.volunteers, 3000);
      assert.equal(t.household_population, 380000);
      assert.equal(t.coverage, 0.007, '3,000 of 380,000 households: 0.79%, three decimals rounded down');
      // towns carry their household population (shipped with the binary),
      // so the tree of an association reports the coverage of its town:
      // 3,000 people go to the first four workstations, 750 each
      const kids = (await c.get('/api/v1/public/regions?parent_code=510115')).json.items;
      assert.equal(kids.length, 11);
      const nodes = (await c.get(`/api/v1/organizations/${me.org_id}/tree`)).json.nodes;
      const liucheng = nodes.find((n) => n.name === '柳城街道志愿服务协会');
      assert.equal(liucheng.region_code, '510115001000');
      const lt = (await c.get(`/api/v1/organizations/${liucheng.id}/tree`)).json.summary;
      assert.deepEqual([lt.volunteers, lt.household_population, lt.population_year, lt.coverage], [750, 62000, 2015, 0.012]);
      let pops = 0, residents = 0;
      for (const town of kids) {
        const g = (await c.get(`/api/v1/regions/${town.code}`)).json;
        pops += g.household_population;
        residents += g.volunteers;
      }
      assert.equal(pops, 380000, 'the towns add up to the district');
      assert.equal(residents, 3000, 'everybody lives in a shipped community');
      // every workstation serves a community of its own town
      for (const st of nodes.filter((n) => n.kind === 'station')) {
        const parent = nodes.find((n) => n.id === st.parent_id);
        const town = parent.region_code;
        assert.equal(st.region_code.slice(0, 9), town.slice(0, 9), st.name);
        assert.equal((await c.get(`/api/v1/regions/${st.region_code}`)).status, 200, st.region_code);
      }
      const page = await c.get('/api/v1/volunteers?limit=5');
      assert.equal(page.json.items.length, 5);
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
