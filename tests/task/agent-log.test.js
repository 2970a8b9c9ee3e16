'use strict';
// Unit tests of tests/support/agent-log.js against the agent's rules (agent-task-contract.md §3.1-3.3).

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { test } = require('node:test');

const {
  parseAgentLog, parseCommand, findLeaks, unescape, escape, splitLines, mergeTaskResults, parseTaskResult,
  parseDotNetBool,
} = require('../support/agent-log');

test('a command starts at the first ##vso[ anywhere and its header ends at the first ]', () => {
  const command = parseCommand('2024-01-01 noise ##vso[task.setvariable variable=a]data ] with ##vso[ inside');
  assert.equal(command.area, 'task');
  assert.equal(command.event, 'setvariable');
  assert.equal(command.prefix, '2024-01-01 noise ');
  assert.equal(command.properties.get('variable'), 'a');
  assert.equal(command.data, 'data ] with ##vso[ inside');
});

test('area.event must split into exactly two non-empty parts (empty pieces removed)', () => {
  assert.equal(parseCommand('##vso[task]x'), null);
  assert.equal(parseCommand('##vso[task.set.variable]x'), null);
  assert.equal(parseCommand('##vso[.]x'), null);
  assert.equal(parseCommand('##vso[ task.debug]x'), null);
  assert.equal(parseCommand('##vso[task.debug'), null);
  assert.equal(parseCommand('#vso[task.debug]x'), null);
  assert.equal(parseCommand('##VSO[task.debug]x'), null); // the prefix is case-sensitive
  assert.deepEqual([parseCommand('##vso[task..debug]x').area, parseCommand('##vso[task..debug]x').event], ['task', 'debug']);
  assert.equal(parseCommand('##vso[task.debug]').data, '');
});

test('properties: split on ; and the first =, no trimming, empty values dropped, keys case-insensitive', () => {
  const command = parseCommand('##vso[task.setvariable variable=x; issecret=true;;IsOutput=true;empty=;=v;a=b=c;k==v]d');
  assert.equal(command.properties.get('variable'), 'x');
  assert.equal(command.properties.get('issecret'), undefined);   // the key is " issecret"
  assert.equal(command.properties.get(' issecret'), 'true');
  assert.equal(command.properties.get('isoutput'), 'true');
  assert.equal(command.properties.has('empty'), false);
  assert.equal(command.properties.get('a'), 'b=c');
  assert.equal(command.properties.get('k'), 'v');                // .NET Split(…, 2, RemoveEmptyEntries)
  assert.equal(command.properties.has(''), false);
});

test('unescape: %3B %0D %0A %5D first, then %AZP25; case-sensitive; escape round-trips', () => {
  assert.equal(unescape('a%3Bb%0D%0Ac%5Dd'), 'a;b\r\nc]d');
  assert.equal(unescape('%AZP253B'), '%3B');           // a literal %3B survives
  assert.equal(unescape('%3b%0a'), '%3b%0a');
  assert.equal(unescape('%AZP25', false), '%AZP25');  // DECODE_PERCENTS=false
  assert.equal(escape('100%;]\r\n'), '100%AZP25%3B%5D%0D%0A');
  for (let i = 0; i < 500; i++) {
    const bytes = crypto.randomBytes(1 + (i % 40));
    const pieces = ['%', ';', ']', '\r', '\n', '%3B', '%AZP25', '%0A', bytes.toString('latin1')];
    const text = pieces.sort(() => (bytes[0] & 1 ? 1 : -1)).join(bytes.toString('hex').slice(0, i % 7));
    assert.equal(unescape(escape(text)), text);
    assert.doesNotMatch(escape(text), /[;\]\r\n]/);
  }
});

test('lines end at CR, LF or CRLF (StreamReader.ReadLine)', () => {
  assert.deepEqual(splitLines('a\r\nb\rc\nd\n'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(splitLines(''), []);
  const log = parseAgentLog('##vso[task.setvariable variable=x]one\rtwo\n');
  assert.equal(log.variable('x').value, 'one');
  assert.deepEqual(log.text, ['two']);
});

test('setvariable: flags need the exact key; .NET Boolean parsing; names case-insensitive; once secret always secret', () => {
  const log = parseAgentLog([
    '##vso[task.setvariable variable=Public; issecret=true]visible',
    '##vso[task.setvariable variable=Yes;issecret=yes]visible-too',
    '##vso[task.setvariable variable=Secret;issecret=True]s3cr%3Bet',
    '##vso[task.setvariable variable=padded;issecret= true ]p',
    '##vso[task.setvariable variable=SECRET;issecret=false]changed',
    '##vso[task.setvariable variable=out;isoutput=true;isreadonly=true]o',
  ].join('\n'));
  assert.deepEqual(log.variable('public'), { name: 'Public', value: 'visible', secret: false, output: false, readOnly: false });
  assert.equal(log.variable('yes').secret, false);
  assert.equal(log.variable('padded').secret, true);
  assert.deepEqual(log.variable('secret'), { name: 'SECRET', value: 'changed', secret: true, output: false, readOnly: false });
  assert.deepEqual(log.variable('out'), { name: 'out', value: 'o', secret: false, output: true, readOnly: true });
  assert.deepEqual(log.variableTable(), { Public: 'visible', Yes: 'visible-too', SECRET: 'changed', padded: 'p', out: 'o' });
  assert.deepEqual([...log.secrets], ['s3cr;et', 'p', 'changed']);
  assert.equal(parseDotNetBool('TRUE\0'), true);
  assert.equal(parseDotNetBool('1'), false);
});

test('setvariable failures the agent reports (and that fail the step): no name, multi-line secret', () => {
  const log = parseAgentLog([
    '##vso[task.setvariable issecret=true]orphan',
    '##vso[task.setvariable variable=;issecret=true]orphan2',
    '##vso[task.setvariable variable=pem;issecret=true]line1%0Aline2',
    '##vso[task.setvariable variable=crlf;issecret=true]a%0Db',   // a lone CR passes on Linux
    '##vso[task.setvariable variable=plain]a%0Ab',                // not secret: fine
  ].join('\n'));
  assert.deepEqual(log.failures.map((f) => f.number), [1, 2, 3]);
  assert.equal(log.failures[2].reason, 'Secrets cannot contain multiple lines');
  assert.deepEqual(log.variableTable(), { crlf: 'a\rb', plain: 'a\nb' });
  assert.equal(log.outcome(0), 'Failed');
  const windows = parseAgentLog('##vso[task.setvariable variable=x;issecret=true]a%0Ab', { newline: '\r\n' });
  assert.deepEqual(windows.failures, []);
});

test('multi-line secrets are accepted once SYSTEM_UNSAFEALLOWMULTILINESECRET is true (job knob or set earlier)', () => {
  const set = parseAgentLog([
    '##vso[task.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET]true',
    '##vso[task.setvariable variable=pem;issecret=true]a%0Ab',
  ].join('\n'));
  assert.deepEqual(set.failures, []);
  assert.equal(set.variable('pem').value, 'a\nb');
  const knob = parseAgentLog('##vso[task.setvariable variable=pem;issecret=true]a%0Ab', { allowMultilineSecret: true });
  assert.deepEqual(knob.failures, []);
});

test('read-only names warn by default and fail when agent.readOnlyVariables is on', () => {
  const line = '##vso[task.setvariable variable=System.AccessToken]x';
  const warn = parseAgentLog(line, { readOnlyNames: ['system.accesstoken'] });
  assert.equal(warn.warnings.length, 1);
  assert.equal(warn.variable('system.accesstoken').value, 'x');
  const enforced = parseAgentLog(line, { readOnlyNames: ['system.accesstoken'], enforceReadOnly: true });
  assert.equal(enforced.failures.length, 1);
  assert.equal(enforced.variable('system.accesstoken'), undefined);
  const flagged = parseAgentLog('##vso[task.setvariable variable=v;isreadonly=true]1\n##vso[task.setvariable variable=v]2');
  assert.equal(flagged.warnings.length, 1);
});

test('setsecret, issues, debug, unknown commands and illegal lines', () => {
  const log = parseAgentLog([
    '##vso[task.setsecret]tok%AZP25en',
    '##vso[task.setsecret]',
    '##vso[task.logissue type=error]bad%3B thing',
    '##vso[task.issue type=Warning;code=42]careful',
    '##vso[task.logissue]no type',
    '##vso[task.logissue type=info]nope',
    '##vso[task.debug]details',
    '##vso[task.frobnicate]x',
    '##vso[weird.area]x',
    'plain ##vso text',
    'plain text',
  ].join('\n'));
  assert.deepEqual([...log.secrets], ['tok%en']);
  assert.deepEqual(log.issues.map(({ type, message }) => ({ type, message })),
    [{ type: 'error', message: 'bad; thing' }, { type: 'warning', message: 'careful' }]);
  assert.deepEqual(log.errors(), ['bad; thing']);
  assert.deepEqual(log.debug, ['details']);
  assert.deepEqual(log.failures.map((f) => f.number), [6, 8]);
  assert.deepEqual(log.warnings.map((w) => w.number), [5, 9, 10]);
  assert.deepEqual(log.text, ['##vso[weird.area]x', 'plain ##vso text', 'plain text']);
});

test('task.complete: case-sensitive result, merge rules, and the step outcome', () => {
  assert.equal(parseTaskResult('Failed'), 'Failed');
  assert.equal(parseTaskResult('failed'), null);
  assert.equal(parseTaskResult('2'), 'Failed');
  assert.equal(mergeTaskResults(null, 'Succeeded'), 'Succeeded');
  assert.equal(mergeTaskResults('Succeeded', 'Failed'), 'Failed');
  assert.equal(mergeTaskResults('Failed', 'Succeeded'), 'Failed');
  assert.equal(mergeTaskResults('Skipped', 'Failed'), 'Skipped');
  assert.equal(mergeTaskResults('SucceededWithIssues', 'Succeeded'), 'SucceededWithIssues');

  const bad = parseAgentLog('##vso[task.complete result=failed;]x');
  assert.equal(bad.result, null);
  assert.equal(bad.failures.length, 1);
  assert.equal(bad.outcome(0), 'Failed');

  const log = parseAgentLog('##vso[task.complete result=SucceededWithIssues;]w\n##vso[task.complete result=Failed;done=true]f');
  assert.deepEqual(log.completions, [{ result: 'SucceededWithIssues', message: 'w' }, { result: 'Failed', message: 'f' }]);
  assert.equal(log.result, 'Failed');

  assert.equal(parseAgentLog('').outcome(0), 'Succeeded');
  assert.equal(parseAgentLog('##vso[task.logissue type=error]e').outcome(0), 'Succeeded'); // issues alone do not fail
  assert.equal(parseAgentLog('').outcome(2), 'Failed');
  assert.equal(parseAgentLog('##vso[task.complete result=Skipped;]s').outcome(0), 'Skipped');
  assert.equal(parseAgentLog('##vso[task.complete result=Skipped;]s').outcome(1), 'Failed');
});

test('settaskvariable and output variables with a step name', () => {
  const log = parseAgentLog('##vso[task.settaskvariable variable=state;issecret=true]s\n##vso[task.setvariable variable=o;isoutput=true]v',
    { stepName: 'kv' });
  assert.equal(log.taskVariable('state').value, 's');
  assert.equal(log.variable('kv.o').value, 'v');
  assert.equal(log.variable('o'), undefined);
});

test('findLeaks: values may appear only in setsecret data and issecret=true data', () => {
  const secret = 'p@ss;w]rd%';
  const out = [
    `##vso[task.setsecret]${escape(secret)}`,
    `##vso[task.setvariable variable=ok;issecret=true]${escape(secret)}`,
    `##vso[task.setvariable variable=public]${escape(secret)}`,
    `##vso[task.setvariable variable=${escape(secret)};issecret=true]x`,
    `error: the value was ${secret}`,
    `##vso[task.setvariable variable=sp; issecret=true]${escape(secret)}`,
    'line1 of pem is here: -----BEGIN KEY-----',
  ].join('\n');
  assert.deepEqual(findLeaks(out, [secret]), [
    { number: 3, valueIndex: 0, where: 'line' },
    { number: 4, valueIndex: 0, where: 'command header' },
    { number: 5, valueIndex: 0, where: 'line' },
    { number: 6, valueIndex: 0, where: 'line' },
  ]);
  assert.deepEqual(findLeaks(out, ['-----BEGIN KEY-----\nMIIB']).map((l) => l.number), [7]);
  assert.deepEqual(findLeaks(out, ['ab']), []); // shorter than minLength
  assert.deepEqual(findLeaks(Buffer.from('tok'), ['tok']), [{ number: 1, valueIndex: 0, where: 'line' }]);
});
