import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { AuditLog, readAuditLog } from '../../src/sandbox/audit';

test('records are JSON lines; a partial line left by a crash costs only itself', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-audit-')), 'audit.jsonl');
  const a = new AuditLog(file);
  a.append({ event: 'signal', id: 'a', action: 'stop' });
  a.close();
  fs.appendFileSync(file, '{"event":"exit","id":"a","exi'); // crash mid-write
  const b = new AuditLog(file);
  b.append({ event: 'signal', id: 'b', action: 'kill' });
  b.close();
  const { records, unreadable } = readAuditLog(file);
  assert.equal(unreadable, 1);
  assert.deepEqual(records.map((r) => r.event === 'signal' && r.id), ['a', 'b']);
  assert.ok(records.every((r) => typeof r.ts === 'string'));
});
