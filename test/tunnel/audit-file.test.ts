import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '../../src/tunnel/audit-file.js';
import { auditRecord } from '../../src/relay/audit.js';

describe('FileAuditSink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON line per record and rotates past rotateBytes', () => {
    const file = join(dir, 'audit.log');
    const sink = new FileAuditSink(file, { rotateBytes: 1000 });
    for (let i = 0; i < 10; i++) sink.write(auditRecord(0, { status: 'ok', tunnel: 't', requestId: i }));
    sink.close();
    expect(existsSync(`${file}.1`)).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(readFileSync(file, 'utf8').length).toBeLessThanOrEqual(1000);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ requestId: 9, status: 'ok' });
  });
});
