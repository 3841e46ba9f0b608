import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isDeadLocalInstance, localHostKey, newInstanceId, parseInstanceId } from './instance-id';

test('instance ids carry host, pid and a uuid, and parse back', () => {
  const id = newInstanceId('0f6c-uuid', 4242, 'box@pid:[1]');
  assert.equal(id, 'box@pid:[1]/4242/0f6c-uuid');
  assert.deepEqual(parseInstanceId(id), { host: 'box@pid:[1]', pid: 4242, uuid: '0f6c-uuid' });
  assert.equal(parseInstanceId('4242-0f6c-uuid'), undefined, 'the old format is not understood');
});

test('only a dead pid of this very host counts as gone', () => {
  const exited = spawnSync(process.execPath, ['-e', '0']);
  const deadPid = exited.pid;
  assert.ok(deadPid !== undefined);
  assert.equal(isDeadLocalInstance(newInstanceId('u', deadPid)), true, 'a finished process of this host');
  assert.equal(
    isDeadLocalInstance(newInstanceId('u', process.pid)),
    false,
    'this process (an earlier runtime in it) is not judged',
  );
  assert.equal(
    isDeadLocalInstance(newInstanceId('u', deadPid, `other-${localHostKey()}`)),
    false,
    'another host: heartbeats decide',
  );
  assert.equal(isDeadLocalInstance(newInstanceId('u', process.ppid)), false, 'a live process');
  assert.equal(isDeadLocalInstance('dead-1'), false, 'unknown format');
});
