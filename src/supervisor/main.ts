import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { SupervisorErrorCodes } from '../protocol/errors';
import { onRequest } from '../protocol/handlers';
import { jsonEncoder } from '../protocol/outputCodec';
import { Denied, Kill, List, Output, RecentOutput, Resume, Start, State, Stop, Suspend, Write } from '../protocol/sandbox';
import { Doctor, Initialize, PROTOCOL_VERSION, Shutdown, Stats } from '../protocol/supervisor';
import { Usage, Warning } from '../protocol/usage';
import { runDoctor } from '../sandbox/doctor';
import { probeHost } from '../sandbox/probe';
import { FrameGuard } from './frameGuard';
import { startReaper, supervisorMarker } from './reaper';
import { DEFAULT_SUPERVISOR_OPTIONS, Supervisor } from './supervisor';

declare const WSB_VERSION: string;

/** Frames above this are refused unread (sandbox/write carries at most 1 MiB of text). */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Output handed to the writer but not yet written above this pauses the tools; below the low mark they go on. */
const OUTPUT_HIGH_WATER = 2 * 1024 * 1024;
const OUTPUT_LOW_WATER = 512 * 1024;
const PARENT_CHECK_MS = 2000;
const SHUTDOWN_ANSWER_MS = 200;

function log(message: string): void {
  process.stderr.write(`[supervisor ${new Date().toISOString()}] ${message}\n`);
}

if (!process.argv.includes('--stdio')) {
  process.stderr.write('usage: node supervisor.js --stdio (speaks JSON-RPC on stdin/stdout)\n');
  process.exit(2);
}

const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: jsonEncoder });
const guard = new FrameGuard(MAX_MESSAGE_BYTES, (refusal) => {
  log(`refused a message: ${refusal.message}`);
  void writer.write({ jsonrpc: '2.0', id: refusal.id, error: { code: refusal.code, message: refusal.message } } as never);
});
process.stdin.pipe(guard);
const connection = createMessageConnection(new StreamMessageReader(guard), writer);

// The writer queues messages itself, so stdout's own buffer says nothing: count the output bytes whose
// write has not completed yet.
let outputInFlight = 0;
const drainListeners: (() => void)[] = [];
const marker = supervisorMarker();
// On Windows, libuv already puts every child in a kill-on-close job of ours, so winjob.exe (and so each
// sandbox's own job) dies with the supervisor; the reaper is for bwrap's late parent-death signal.
if (process.platform !== 'win32') startReaper(marker);
const supervisor = new Supervisor({
  state: (n) => void connection.sendNotification(State.type, n),
  output: ({ id, stream, bytes }) => {
    outputInFlight += bytes.length;
    void connection.sendNotification(Output.type, { id, stream, data: bytes.toString('base64') }).finally(() => {
      outputInFlight -= bytes.length;
      if (outputInFlight < OUTPUT_LOW_WATER) for (const l of drainListeners) l();
    });
  },
  usage: (n) => void connection.sendNotification(Usage.type, n),
  warning: (n) => void connection.sendNotification(Warning.type, n),
  denied: (n) => void connection.sendNotification(Denied.type, n),
  congested: () => outputInFlight > OUTPUT_HIGH_WATER,
  onDrain: (listener) => drainListeners.push(listener),
}, { ...DEFAULT_SUPERVISOR_OPTIONS, marker });

onRequest(connection, Initialize, (p) => {
  if (p.protocolVersion !== PROTOCOL_VERSION) {
    return new ResponseError(SupervisorErrorCodes.VersionMismatch, `protocol ${p.protocolVersion} is not supported; this supervisor speaks ${PROTOCOL_VERSION}`);
  }
  supervisor.configure({
    auditLog: p.auditLog ?? null,
    ...(p.sampleIntervalMs !== undefined && { sampleIntervalMs: p.sampleIntervalMs }),
    ...(p.warnAt !== undefined && { warnAt: p.warnAt }),
    ...(p.maxSandboxes !== undefined && { maxSandboxes: p.maxSandboxes }),
  });
  log(`initialized by ${p.clientName}`);
  return { protocolVersion: PROTOCOL_VERSION, supervisorVersion: WSB_VERSION, backends: runDoctor(probeHost()).backends };
});
onRequest(connection, Start, (p) => supervisor.start(p));
onRequest(connection, Stop, (p) => supervisor.stop(p.id, p.graceMs));
onRequest(connection, Kill, (p) => supervisor.kill(p.id));
onRequest(connection, Suspend, (p) => supervisor.suspend(p.id));
onRequest(connection, Resume, (p) => supervisor.resume(p.id));
onRequest(connection, Write, (p) => supervisor.write(p.id, p.data));
onRequest(connection, List, () => supervisor.list());
onRequest(connection, RecentOutput, (p) => supervisor.recentOutput(p.id));
onRequest(connection, Stats, () => supervisor.statistics());
onRequest(connection, Doctor, () => runDoctor(probeHost()));
onRequest(connection, Shutdown, async () => {
  await supervisor.shutdown();
  // The answer is the announcement that this exit is deliberate: the writer sends it a few turns later, so
  // leave after it went (or sooner, when the client closes our stdin on reading it).
  setTimeout(() => exit(0, 'shutdown requested'), SHUTDOWN_ANSWER_MS);
  return null;
});

let exiting = false;
/** Every way out kills the sandboxes first; bwrap's --die-with-parent is the backstop if this never runs. */
function exit(code: number, why: string): void {
  if (exiting) return;
  exiting = true;
  log(`exiting: ${why}`);
  supervisor.killAllNow();
  void supervisor.shutdown().finally(() => process.exit(code));
  setTimeout(() => process.exit(code), 3000).unref();
}

// The client is our parent: when its end of stdin closes, or we are re-parented, it is gone.
connection.onClose(() => exit(0, 'the client closed the connection'));
process.stdin.on('end', () => exit(0, 'stdin closed'));
const parent = process.ppid;
setInterval(() => process.ppid !== parent && exit(0, 'the parent process died'), PARENT_CHECK_MS).unref();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => exit(0, sig));
process.on('uncaughtException', (err) => {
  log(`crash: ${err.stack ?? err}`);
  exit(1, 'uncaught exception');
});
connection.listen();
