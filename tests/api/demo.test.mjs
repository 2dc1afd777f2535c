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
      assert.equal(t.coverage, Math.floor(3000 * 1000 / 380000) / 1000);
      const page = await c.get('/api/v1/volunteers?limit=5');
      assert.equal(page.json.items.length, 5);
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
