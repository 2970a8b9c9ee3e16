'use strict';
// agent-log: reads a task's stdout the way the Azure Pipelines agent does, so tests can assert on what
// the agent would *do* with it (variables set, secrets registered, issues, step result) rather than on
// raw text. Rules: ../shared/docs/agent-task-contract.md §3.1-3.3 (Command.TryParse, the unescape order,
// TaskCommandExtension, MergeTaskResults), for an agent on Linux with its default knobs.
//
//   const { parseAgentLog } = require('../support/agent-log');
//   const log = parseAgentLog(stdout);                 // string or Buffer (decoded as UTF-8)
//   log.variable('MySecret')  -> { name, value, secret, output, readOnly } | undefined (names case-insensitive)
//   log.variables             -> Map<lower-case name, entry>, in first-set order
//   log.secrets               -> Set of every value the masker would hold (setsecret data, issecret values)
//   log.issues                -> [{ type: 'error'|'warning', message, properties }]
//   log.completions           -> [{ result, message }] every accepted task.complete, in order
//   log.result                -> merged task.complete result or null; log.outcome(exitCode) -> final step result
//   log.failures              -> commands the agent rejects ("Unable to process command"): step fails
//   log.warnings              -> agent warnings (illegal '##vso' lines, unknown areas, read-only names, ...)
//   log.text                  -> lines that are not commands (what the agent writes to the log, unmasked)
//   findLeaks(stdout, values) -> places where a value appears outside setsecret / issecret=true data

const PREFIX = '##vso[';

// Agent unescape (Command.Unescape): the four mappings first, then %AZP25 -> % when DECODE_PERCENTS
// is on (the default since agent 2.184.0). Ordinal, case-sensitive replacements.
const ESCAPE_MAPPINGS = [[';', '%3B'], ['\r', '%0D'], ['\n', '%0A'], [']', '%5D']];

function unescape(text, decodePercents = true) {
  let out = text;
  for (const [token, replacement] of ESCAPE_MAPPINGS) out = out.split(replacement).join(token);
  if (decodePercents) out = out.split('%AZP25').join('%');
  return out;
}

// The agent's own Escape (and what our binary emits for properties and data): % first, then the rest.
// unescape(escape(x)) === x for every string x.
function escape(text) {
  let out = String(text).split('%').join('%AZP25');
  for (const [token, replacement] of ESCAPE_MAPPINGS) out = out.split(token).join(replacement);
  return out;
}

// .NET StreamReader.ReadLine: CR, LF and CRLF all end a line; a final terminator adds no empty line.
function splitLines(text) {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// Command.TryParse. Returns null when the line is not a legal command.
function parseCommand(line, decodePercents = true) {
  if (typeof line !== 'string' || line.length === 0) return null;
  const prefixIndex = line.indexOf(PREFIX);
  if (prefixIndex < 0) return null;
  const rbIndex = line.indexOf(']', prefixIndex);
  if (rbIndex < 0) return null;
  const cmdIndex = prefixIndex + PREFIX.length;
  const cmdInfo = line.substring(cmdIndex, rbIndex);
  const spaceIndex = cmdInfo.indexOf(' ');
  const commandInfo = spaceIndex < 0 ? cmdInfo : cmdInfo.substring(0, spaceIndex);
  // Split('.', RemoveEmptyEntries) must give exactly two parts.
  const areaEvent = commandInfo.split('.').filter((part) => part.length > 0);
  if (areaEvent.length !== 2) return null;
  const properties = new Map(); // lower-case key -> unescaped value (keys are case-insensitive)
  const rawProperties = [];     // [key as written, unescaped value] in order, duplicates kept
  if (spaceIndex > 0) {
    for (const piece of cmdInfo.substring(spaceIndex + 1).split(';')) {
      if (piece.length === 0) continue;
      // .NET Split('=', 2, RemoveEmptyEntries): empty entries are skipped, including the separators
      // that lead the remainder, so "=k=v" and "k==v" both give (k, v); "k=" and "=v" give one part
      // and are dropped; "k=v=w" gives (k, "v=w").
      const body = piece.replace(/^=+/, '');
      const eq = body.indexOf('=');
      if (eq < 0) continue;
      const key = body.substring(0, eq);
      const value = body.substring(eq + 1).replace(/^=+/, '');
      if (value.length === 0) continue;
      const parsed = unescape(value, decodePercents);
      properties.set(key.toLowerCase(), parsed);
      rawProperties.push([key, parsed]);
    }
  }
  return {
    area: areaEvent[0],
    event: areaEvent[1],
    properties,
    rawProperties,
    data: unescape(line.substring(rbIndex + 1), decodePercents),
    prefix: line.substring(0, prefixIndex),
    line,
  };
}

// .NET Boolean.TryParse: case-insensitive "true"/"false", surrounding white space and trailing NULs allowed.
function parseDotNetBool(text) {
  if (typeof text !== 'string') return false;
  const trimmed = text.replace(/^[\s]+|[\s\0]+$/g, '').toLowerCase();
  return trimmed === 'true';
}

// TaskResult enum and TaskResultUtil.MergeTaskResults.
const TASK_RESULTS = ['Succeeded', 'SucceededWithIssues', 'Failed', 'Canceled', 'Skipped', 'Abandoned'];
const rank = (result) => TASK_RESULTS.indexOf(result);

function mergeTaskResults(current, coming) {
  if (current == null) return coming;
  if (rank(current) > rank('Failed')) return current; // Canceled/Skipped/Abandoned stick
  return rank(coming) >= rank(current) ? coming : current;
}

// Enum.TryParse<TaskResult>(text) without ignoreCase: exact member names, or an integer.
function parseTaskResult(text) {
  if (typeof text !== 'string' || text.length === 0) return null;
  const trimmed = text.trim();
  if (TASK_RESULTS.includes(trimmed)) return trimmed;
  if (/^[+-]?\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 0 && n < TASK_RESULTS.length ? TASK_RESULTS[n] : null;
  }
  return null;
}

const KNOWN_AREAS = new Set(['task', 'artifact', 'build', 'release', 'codecoverage', 'results', 'telemetry', 'plugininternal']);

class AgentLog {
  constructor(options) {
    this.options = options;
    this.lines = [];        // every line: { number, text, command|null }
    this.commands = [];     // every legal command, in order
    this.text = [];         // lines that are not commands
    this.variables = new Map();
    this.taskVariables = new Map();
    this.secrets = new Set();
    this.issues = [];
    this.completions = [];
    this.result = null;
    this.failures = [];     // { number, line, reason }
    this.warnings = [];     // { number, line, reason }
    this.debug = [];
    this.prependedPaths = [];
  }

  variable(name) { return this.variables.get(String(name).toLowerCase()); }
  taskVariable(name) { return this.taskVariables.get(String(name).toLowerCase()); }

  // { name: value } of every variable, for one-line deep-equal assertions.
  variableTable() {
    const table = {};
    for (const entry of this.variables.values()) table[entry.name] = entry.value;
    return table;
  }

  errors() { return this.issues.filter((issue) => issue.type === 'error').map((issue) => issue.message); }

  // The step result the agent records after the process exits with exitCode (StepsRunner): a non-zero
  // exit code sets Failed outright; a rejected command merges Failed; nothing at all means Succeeded.
  outcome(exitCode) {
    let result = this.result;
    if (exitCode !== 0) result = 'Failed';
    if (this.failures.length > 0) result = mergeTaskResults(result, 'Failed');
    return result == null ? 'Succeeded' : result;
  }

  multilineSecretsAllowed() {
    if (this.options.allowMultilineSecret) return true;
    const knob = this.variable('SYSTEM_UNSAFEALLOWMULTILINESECRET');
    return knob !== undefined && parseDotNetBool(knob.value);
  }

  _setVariable(table, command, number) {
    const name = command.properties.get('variable');
    if (name === undefined || name.length === 0) throw new Error('Variable name is required (task.setvariable without variable=)');
    const secret = parseDotNetBool(command.properties.get('issecret'));
    const output = parseDotNetBool(command.properties.get('isoutput'));
    const readOnly = parseDotNetBool(command.properties.get('isreadonly'));
    const key = (output && this.options.stepName ? `${this.options.stepName}.${name}` : name).toLowerCase();
    const existing = table.get(key);
    const readOnlyName = this.options.readOnlyNames.has(name.toLowerCase());
    if ((existing && existing.readOnly) || readOnlyName) {
      if (this.options.enforceReadOnly) throw new Error(`Variable '${name}' is read-only`);
      this.warnings.push({ number, line: command.line, reason: `variable '${name}' is read-only` });
    }
    const value = command.data;
    if (secret && value.includes(this.options.newline) && !this.multilineSecretsAllowed()) {
      throw new Error('Secrets cannot contain multiple lines');
    }
    if (secret && value.length > 0) this.secrets.add(value);
    const entry = {
      name: output && this.options.stepName ? `${this.options.stepName}.${name}` : name,
      value,
      secret: secret || Boolean(existing && existing.secret), // once secret, always secret
      output,
      readOnly: readOnly || Boolean(existing && existing.readOnly),
    };
    if (entry.secret && value.length > 0) this.secrets.add(value);
    table.set(key, entry);
  }

  _processTask(command, number) {
    const event = command.event.toLowerCase();
    switch (event) {
      case 'setvariable': this._setVariable(this.variables, command, number); break;
      case 'settaskvariable': this._setVariable(this.taskVariables, command, number); break;
      case 'setsecret':
        if (command.data.length > 0) this.secrets.add(command.data);
        break;
      case 'logissue':
      case 'issue': {
        const type = command.properties.get('type');
        if (type === undefined) {
          this.warnings.push({ number, line: command.line, reason: "Can't create TaskIssue from logging event." });
          break;
        }
        if (type.toLowerCase() !== 'error' && type.toLowerCase() !== 'warning') {
          throw new Error(`issue type ${type} is not an expected issue type.`);
        }
        this.issues.push({ type: type.toLowerCase(), message: command.data, properties: command.properties });
        break;
      }
      case 'complete': {
        const result = parseTaskResult(command.properties.get('result'));
        if (result === null) throw new Error('Invalid result in task.complete');
        this.result = mergeTaskResults(this.result, result);
        this.completions.push({ result, message: command.data });
        break;
      }
      case 'debug': this.debug.push(command.data); break;
      case 'prependpath': this.prependedPaths.push(command.data); break;
      case 'setprogress': case 'logdetail': case 'addattachment': case 'uploadsummary':
      case 'uploadfile': case 'setendpoint': case 'addfileattachment':
        break; // accepted, no effect that matters here
      default:
        throw new Error(`Task command '${command.event}' not found`);
    }
  }
}

function parseAgentLog(output, options = {}) {
  const opts = {
    decodePercents: options.decodePercents !== false,
    allowMultilineSecret: Boolean(options.allowMultilineSecret), // SYSTEM_UNSAFEALLOWMULTILINESECRET from the job
    newline: options.newline || '\n',                            // Environment.NewLine of the agent's OS
    stepName: options.stepName || '',                            // for isoutput=true variables
    readOnlyNames: new Set((options.readOnlyNames || []).map((name) => name.toLowerCase())),
    enforceReadOnly: Boolean(options.enforceReadOnly),           // job variable agent.readOnlyVariables
  };
  const log = new AgentLog(opts);
  const text = Buffer.isBuffer(output) ? output.toString('utf8') : String(output);
  splitLines(text).forEach((line, index) => {
    const number = index + 1;
    const command = parseCommand(line, opts.decodePercents);
    log.lines.push({ number, text: line, command });
    if (command === null) {
      if (line.includes('##vso')) {
        log.warnings.push({ number, line, reason: "contains logging command keyword '##vso', but it's not a legal command" });
      }
      log.text.push(line);
      return;
    }
    if (!KNOWN_AREAS.has(command.area.toLowerCase())) {
      log.warnings.push({ number, line, reason: `unknown logging command area '${command.area}'` });
      log.text.push(line);
      return;
    }
    log.commands.push(command);
    if (command.area.toLowerCase() !== 'task') return;
    try {
      log._processTask(command, number);
    } catch (error) {
      log.failures.push({ number, line, reason: error.message });
    }
  });
  return log;
}

// Where do any of `values` appear outside the data of a setsecret or an issecret=true setvariable /
// settaskvariable (the only places a secret may be written)? Each value is searched raw and in its
// escaped form; values holding CR/LF are also searched line by line. Values shorter than minLength are
// ignored (a 1-byte "secret" matches everywhere). Returns [{ number, valueIndex, where }].
function findLeaks(output, values, { minLength = 3, decodePercents = true } = {}) {
  const needles = [];
  values.forEach((value, valueIndex) => {
    const forms = new Set([value, escape(value)]);
    if (/[\r\n]/.test(value)) for (const part of value.split(/\r\n|\r|\n/)) { forms.add(part); forms.add(escape(part)); }
    for (const form of forms) if (form.length >= minLength) needles.push({ form, valueIndex });
  });
  const text = Buffer.isBuffer(output) ? output.toString('utf8') : String(output);
  const leaks = [];
  splitLines(text).forEach((line, index) => {
    const command = parseCommand(line, decodePercents);
    let visible = line;
    if (command !== null && command.area.toLowerCase() === 'task') {
      const event = command.event.toLowerCase();
      const secretData = event === 'setsecret' ||
        ((event === 'setvariable' || event === 'settaskvariable') && parseDotNetBool(command.properties.get('issecret')));
      if (secretData) visible = line.substring(0, line.indexOf(']', line.indexOf(PREFIX)) + 1);
    }
    const seen = new Set();
    for (const { form, valueIndex } of needles) {
      if (seen.has(valueIndex)) continue;
      if (visible.includes(form)) {
        seen.add(valueIndex);
        leaks.push({ number: index + 1, valueIndex, where: visible === line ? 'line' : 'command header' });
      }
    }
  });
  return leaks;
}

module.exports = {
  parseAgentLog, parseCommand, findLeaks, unescape, escape, splitLines,
  mergeTaskResults, parseTaskResult, parseDotNetBool, TASK_RESULTS,
};
