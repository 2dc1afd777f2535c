// The record chain at a size where `zhiyuan verify` checks stretches of it
// side by side: a demo district with 3,000 approved records, then rows
// edited and deleted behind the application's back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
let srv;
let root;

function sql(statement) {
  if (srv.backend === 'sqlite') execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), statement]);
  else execFileSync('psql', [srv.db, '-v', 'ON_ERROR_STOP=1', '-qc', statement]);
}

function verify() {
  const r = spawnSync(bin, ['verify', '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'],
    { encoding: 'utf8' });
  return { status: r.status, out: r.stdout };
}

before(async () => {
  srv = await startServer();
  execFileSync(bin, ['demo', '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--volunteers', '300',
    '--records', '3000', '--log-level', 'warn'], { env: { ...process.env, ZHIYUAN_ADMIN_PASSWORD: srv.adminPassword } });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
});
after(() => srv?.stop());

test('demo records are approved, chained and totalled', async () => {
  assert.deepEqual(verify(), { status: 0, out: 'chain intact: 3000 links\n' });
  const head = (await root.get('/api/v1/records/chain')).json;
  assert.equal(head.seq, 3000);
  const vols = (await root.get('/api/v1/volunteers?limit=3')).json.items;
  for (const v of vols) {
    const arc = (await root.get(`/api/v1/volunteers/${v.id}/archive?limit=200`)).json;
    assert.equal(arc.records.length, 10, 'each of 300 people served 10 of 3,000 times');
    assert.equal(arc.approved_minutes, arc.records.reduce((n, r) => n + r.effective_minutes, 0));
    assert.equal(arc.evaluations.reduce((n, e) => n + e.records, 0), 10);
    assert.ok(arc.records.every((r) => r.status === 'approved' && r.chain_seq > 0));
  }
});

test('verify names the first broken link wherever it lies', () => {
  sql("UPDATE service_records SET place = '别处' WHERE chain_seq = 2500");
  let r = verify();
  assert.equal(r.status, 1);
  assert.match(r.out, /^BROKEN after 2499 good links: link 2500 \(record \d+\): the record was changed after approval/);
  sql("UPDATE service_records SET place = '别处' WHERE chain_seq = 700");
  r = verify();
  assert.match(r.out, /^BROKEN after 699 good links: link 700 \(record \d+\): the record was changed after approval/);
  sql("UPDATE service_records SET place = '温江区' WHERE chain_seq IN (700, 2500)");
  assert.equal(verify().status, 0, 'restored');
  sql('UPDATE record_chain SET prev_hash = hash WHERE seq = 1501');
  r = verify();
  assert.match(r.out, /link 1501 \(record \d+\): the link does not follow the one before/);
  sql('DELETE FROM record_chain WHERE seq = 1200');
  r = verify();
  assert.match(r.out, /^BROKEN after 1199 good links: link 1200: a link is missing/);
});
