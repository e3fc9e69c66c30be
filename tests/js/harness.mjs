// Start the real `basalt` binary for a client suite, wait until it serves, and always stop it.
//
//   const node = await startDevNode();   // BASALT_BIN, --dev --tmp, free ports
//   ... node.wsUrl / node.rpc('system_health')
//   await node.stop();                   // also done on exit, SIGINT, SIGTERM, SIGHUP
//
// Only Node's standard library is used.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const live = new Set();
let handlersInstalled = false;

export function defaultBinary () {
  if (process.env.BASALT_BIN) return process.env.BASALT_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'basalt-target');
  return path.join(target, 'release', 'basalt');
}

export function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function killAllSync () {
  for (const node of live) node.killSync();
}

function installHandlers () {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      killAllSync();
      process.exit(128 + os.constants.signals[sig]);
    });
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class DevNode {
  constructor (binary, rpcPort, p2pPort, extraArgs) {
    this.binary = binary;
    this.rpcPort = rpcPort;
    this.p2pPort = p2pPort;
    this.args = ['--dev', '--tmp', '--rpc-port', String(rpcPort), '--port', String(p2pPort), '--no-prometheus', ...extraArgs];
    this.logPath = null;
    this.proc = null;
    this.exited = null;
  }

  get httpUrl () { return `http://127.0.0.1:${this.rpcPort}`; }
  get wsUrl () { return `ws://127.0.0.1:${this.rpcPort}`; }

  spawn () {
    this.logPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'basalt-js-')), 'node.log');
    const fd = fs.openSync(this.logPath, 'w');
    console.log(`[harness] starting: ${this.binary} ${this.args.join(' ')} (log: ${this.logPath})`);
    this.proc = spawn(this.binary, this.args, { stdio: ['ignore', fd, fd], detached: true });
    fs.closeSync(fd);
    this.proc.unref();
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => { this.exited = { code, signal }; live.delete(this); resolve(this.exited); });
    });
    live.add(this);
  }

  async rpc (method, params = [], timeoutMs = 10000) {
    const res = await fetch(this.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs)
    });
    return res.json();
  }

  async waitReady (timeoutMs, minBlock) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`basalt exited (${JSON.stringify(this.exited)}) before it was ready`);
      try {
        const head = await this.rpc('chain_getHeader', [], 2000);
        if (head.result) {
          const number = parseInt(head.result.number, 16);
          if (number >= minBlock) {
            console.log(`[harness] node ready at ${this.wsUrl}, best block #${number}`);
            return;
          }
          last = `best block #${number}`;
        } else {
          last = `chain_getHeader answered ${JSON.stringify(head)}`;
        }
      } catch (e) {
        last = `${e.name}: ${e.message}`;
      }
      await sleep(250);
    }
    throw new Error(`node not ready after ${timeoutMs / 1000}s (last: ${last})`);
  }

  alive () { return this.proc !== null && this.exited === null; }

  logTail (lines = 60) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch (e) {
      return `(no log: ${e.message})`;
    }
  }

  killSync () {
    if (this.alive()) {
      try { process.kill(this.proc.pid, 'SIGKILL'); } catch (_) { /* already gone */ }
    }
  }

  // SIGTERM, then SIGKILL after timeoutMs; idempotent.
  async stop (timeoutMs = 10000) {
    if (!this.alive()) return;
    try { process.kill(this.proc.pid, 'SIGTERM'); } catch (_) { return; }
    const done = await Promise.race([this.exitPromise, sleep(timeoutMs).then(() => null)]);
    if (!done) {
      console.error('[harness] node ignored SIGTERM; killing it');
      this.killSync();
      await Promise.race([this.exitPromise, sleep(5000)]);
    }
  }

  removeLog () {
    try { fs.rmSync(path.dirname(this.logPath), { recursive: true, force: true }); } catch (_) { /* ignore */ }
  }
}

export async function startDevNode ({ binary = defaultBinary(), extraArgs = [], readyTimeoutMs = 120000, minBlock = 1 } = {}) {
  if (!fs.existsSync(binary)) {
    throw new Error(`no basalt binary at ${binary} (set BASALT_BIN or build it: cargo build --release -p basalt-node)`);
  }
  installHandlers();
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const node = new DevNode(binary, await freePort(), await freePort(), extraArgs);
    node.spawn();
    try {
      await node.waitReady(readyTimeoutMs, minBlock);
      return node;
    } catch (e) {
      lastError = e;
      const tail = node.logTail();
      const exited = !node.alive();
      await node.stop();
      if (exited && /in use/i.test(tail)) continue; // a port taken between choosing and binding
      e.message += `\n--- node log (last lines) ---\n${tail}`;
      throw e;
    }
  }
  throw lastError;
}

// A node this harness did not start (BASALT_URL, e.g. a validator of scripts/testnet.sh): the
// same interface as a DevNode; stopping it does nothing, and it has no log of ours.
export class RemoteNode {
  constructor (wsUrl) {
    this.wsUrl = wsUrl;
    this.httpUrl = wsUrl.replace(/^ws/, 'http');
  }

  async rpc (method, params = [], timeoutMs = 10000) {
    return DevNode.prototype.rpc.call(this, method, params, timeoutMs);
  }

  alive () { return true; }
  logTail () { return `(the node at ${this.wsUrl} is not ours: no log)`; }
  async stop () {}
  removeLog () {}
}

// The node under test: BASALT_URL's if set, else a fresh `basalt --dev --tmp`.
export async function startNode (options = {}) {
  const url = process.env.BASALT_URL;
  if (!url) return startDevNode(options);
  const node = new RemoteNode(url);
  const head = await node.rpc('chain_getHeader', [], 10000);
  if (!head.result) throw new Error(`${url} does not serve chain_getHeader: ${JSON.stringify(head)}`);
  console.log(`[harness] using the node at ${url}, best block #${parseInt(head.result.number, 16)}`);
  return node;
}
