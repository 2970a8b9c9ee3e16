'use strict';
// task/step-outcome.js: what the launcher writes after the binary has ended, and its exit code, for
// every way the binary can end (by itself, by a signal, after a cancellation, killed after the grace
// time, the loader's exit code 127). Pure tables; the real signals are in tests/task/launcher.test.js.

const assert = require('node:assert/strict');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const { TASK_DIR } = require('./harness');
const { parseAgentLog } = require('../support/agent-log');

const outcome = require(path.join(TASK_DIR, 'step-outcome.js'));

const signalNumber = os.constants.signals;
const HINT = 'federated-keyvault exited with code 127: the loader failed.';
const KILLED_SIGKILL = "federated-keyvault was killed by signal SIGKILL, which the task never sends: most often the " +
  "kernel's out-of-memory killer or a container's memory limit ended it. Check the agent machine's kernel log (dmesg) " +
  'and free memory, then run the job again.';
const KILLED_SIGTERM_CANCEL = 'federated-keyvault was killed by signal SIGTERM after the agent sent SIGTERM to the task ' +
  '(job cancelled or timed out). Variables it had not set yet are missing: if the job timed out, raise its ' +
  'timeoutInMinutes, then run it again.';
const GRACE_SIGINT = 'federated-keyvault did not stop within 9 s after the agent sent SIGINT to the task (job cancelled ' +
  'or timed out), so it was killed. Variables it had not set yet are missing.';

test('the grace time ends before the agent kills node (SIGINT, +7.5 s SIGTERM, +2.5 s SIGKILL)', () => {
  assert.equal(outcome.CANCEL_GRACE_MS, 9000);
  assert.ok(outcome.CANCEL_GRACE_MS < 7500 + 2500);
});

test('stepOutcome: the launcher writes only when the binary could not say why it ended, on a fresh line', () => {
  for (const [name, end, context, expected] of [
    ['success', { code: 0, signal: null }, {}, { message: null, exitCode: 0 }],
    ['the binary failed and said why', { code: 3, signal: null }, {}, { message: null, exitCode: 3 }],
    ['cancelled: the binary wrote its own cancelled line', { code: 1, signal: null }, { cancelSignal: 'SIGTERM' },
      { message: null, exitCode: 1 }],
    ['cancelled, but the binary had just finished', { code: 0, signal: null }, { cancelSignal: 'SIGINT' },
      { message: null, exitCode: 0 }],
    ['the loader failed (127) and the launcher knows a hint', { code: 127, signal: null }, { loaderHint: HINT },
      { message: HINT, exitCode: 127 }],
    ['127 without a hint (static build)', { code: 127, signal: null }, { loaderHint: null }, { message: null, exitCode: 127 }],
    ['127 after a cancellation is the binary\'s', { code: 127, signal: null }, { cancelSignal: 'SIGTERM', loaderHint: HINT },
      { message: null, exitCode: 127 }],
    ['killed by a signal nobody sent (OOM killer)', { code: null, signal: 'SIGKILL' }, {},
      { message: KILLED_SIGKILL, exitCode: 137 }],
    ['died of the forwarded signal (no handler)', { code: null, signal: 'SIGTERM' }, { cancelSignal: 'SIGTERM' },
      { message: KILLED_SIGTERM_CANCEL, exitCode: 143 }],
    ['killed after the grace time', { code: null, signal: 'SIGKILL' }, { cancelSignal: 'SIGINT', killedAfterGrace: true, graceMs: 9000 },
      { message: GRACE_SIGINT, exitCode: 137 }],
    ['no code and no signal', { code: null, signal: null }, {},
      { message: 'federated-keyvault ended without an exit code. Run the job again; if it happens again, report it with ' +
        "this log to the extension's publisher (Organization settings > Extensions names it).", exitCode: 1 }],
  ]) {
    const got = outcome.stepOutcome(end, { signalNumber, ...context });
    assert.equal(got.exitCode, expected.exitCode, name);
    if (expected.message === null) {
      assert.deepEqual(got.lines, [], `${name}: nothing written`);
      continue;
    }
    assert.equal(got.lines[0], '', `${name}: the text starts on a fresh line`);
    const log = parseAgentLog(got.lines.map((line) => `${line}\n`).join(''));
    assert.deepEqual(log.errors(), [expected.message], name);
    assert.deepEqual(log.completions, [{ result: 'Failed', message: expected.message }], name);
    assert.equal(log.outcome(got.exitCode), 'Failed', name);
  }
});

test('grace times are written in seconds as given', () => {
  const got = outcome.stepOutcome({ code: null, signal: 'SIGKILL' },
    { signalNumber, cancelSignal: 'SIGTERM', killedAfterGrace: true, graceMs: 500 });
  assert.match(got.lines[1], /did not stop within 0\.5 s after the agent sent SIGTERM/);
});
