'use strict';
// How the binary's end becomes the step's end: what the launcher writes after the binary has exited and
// the launcher's exit code. Pure functions, no I/O (launcher.js does the waiting and the writing).
//
// Cancellation. The agent cancels a step (job cancelled, step or job timeout) on Linux and macOS by
// signalling the step's own process, node, not its process group: SIGINT, 7.5 s later SIGTERM, 2.5 s
// later SIGKILL (azure-pipelines-agent ProcessInvoker, _sigintTimeout/_sigtermTimeout). The launcher
// forwards every SIGINT/SIGTERM/SIGHUP to the binary, whose job it is to finish the line it is writing,
// write what it has, print its own "cancelled" error and exit non-zero. The launcher waits for that, at
// most CANCEL_GRACE_MS after the first signal; then it kills the binary (SIGKILL) so that the binary is
// gone, and the launcher's message written, before the agent's SIGKILL ends node and would orphan it.
//
// On Windows the agent sends Ctrl+C, then Ctrl+Break, to the console the step runs in. The binary is
// attached to the same console (stdio inherited, no new console), so it receives both events itself.
// Node cannot send a console event to one process (child.kill() on Windows is TerminateProcess for any
// signal name), so there the launcher forwards nothing, only waits the same bounded time and then
// terminates the binary.
//
// Output discipline: stdio is inherited, so the launcher cannot see whether the binary's last write
// ended with a newline, and it writes nothing at all while the binary may still be writing. After the
// binary has exited, it writes only when the binary could not have said why it ended:
// - killed by a signal (its handler did not run or it was killed after the grace time), or
// - exit code 127 from the program loader, when the launcher knows a hint (loaderHint);
// and that text always starts with a newline, so it never continues a line the binary left unfinished
// (an empty log line is the price when the binary's last line was complete). A binary that exited by
// itself after a forwarded signal has written its own "cancelled" line: the launcher adds nothing then
// and passes its exit code on.

const BINARY_NAME = 'federated-keyvault';

// Agent: SIGINT at 0 s, SIGTERM at 7.5 s, SIGKILL of node at 10 s. 9 s leaves the launcher a second.
const CANCEL_GRACE_MS = 9000;

// Agent escaping for ##vso properties and data: '%' first, then CR, LF, ';' and ']'.
function escapeCommandText(text) {
  return String(text)
    .replace(/%/g, '%AZP25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/;/g, '%3B')
    .replace(/]/g, '%5D');
}

// The two lines that fail the step with one message: an error issue and task.complete.
function failureLines(message) {
  return [
    `##vso[task.logissue type=error]${escapeCommandText(message)}`,
    `##vso[task.complete result=Failed;]${escapeCommandText(message)}`,
  ];
}

function seconds(ms) {
  return `${Math.round(ms / 100) / 10} s`;
}

// end: { code, signal } as child_process reports them on 'exit';
// context: { cancelSignal (the first signal the launcher received, or null), killedAfterGrace (the
//   launcher killed the binary because the grace time ran out), graceMs, signalNumber (name -> number,
//   os.constants.signals), loaderHint (text for an exit code 127 outside a cancellation, or null) }.
// Returns { lines, exitCode }: lines to write after the binary ended (already starting with the empty
// line that puts them on a fresh line, or no lines at all), and the launcher's exit code.
function stepOutcome(end, context) {
  const { cancelSignal = null, killedAfterGrace = false, graceMs = CANCEL_GRACE_MS, signalNumber = {}, loaderHint = null } =
    context || {};
  const { code, signal } = end;
  if (signal) {
    const exitCode = 128 + (signalNumber[signal] || 0);
    let message;
    if (killedAfterGrace) {
      message = `${BINARY_NAME} did not stop within ${seconds(graceMs)} after the agent sent ${cancelSignal} to the task ` +
        '(job cancelled or timed out), so it was killed. Variables it had not set yet are missing.';
    } else {
      message = cancelSignal
        ? `${BINARY_NAME} was killed by signal ${signal} after the agent sent ${cancelSignal} to the task (job cancelled ` +
          'or timed out). Variables it had not set yet are missing: if the job timed out, raise its timeoutInMinutes, ' +
          'then run it again.'
        : `${BINARY_NAME} was killed by signal ${signal}, which the task never sends: most often the kernel's ` +
          "out-of-memory killer or a container's memory limit ended it. Check the agent machine's kernel log (dmesg) " +
          'and free memory, then run the job again.';
    }
    return { lines: ['', ...failureLines(message)], exitCode };
  }
  if (code === null || code === undefined) {
    return { lines: ['', ...failureLines(`${BINARY_NAME} ended without an exit code. Run the job again; if it happens ` +
      "again, report it with this log to the extension's publisher (Organization settings > Extensions names it).")],
      exitCode: 1 };
  }
  if (code === 127 && !cancelSignal && loaderHint) return { lines: ['', ...failureLines(loaderHint)], exitCode: 127 };
  return { lines: [], exitCode: code };
}

module.exports = { BINARY_NAME, CANCEL_GRACE_MS, escapeCommandText, failureLines, stepOutcome };
