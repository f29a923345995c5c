// The smallest two-process Node relay, ccmux's shape without its work: a server that runs a program on a PTY
// (node-pty) and a client that puts its terminal in raw mode and relays keys and output over a unix socket.
// The echo-latency benchmark times it next to ccmux: what two Node hops cost on this machine, before any
// framing, recording, mirroring or agent tracking.
//   node node-relay.mjs server SOCKET -- PROGRAM ARGS…   (listens; exits when the program does)
//   node node-relay.mjs client SOCKET
import * as fs from 'node:fs';
import * as net from 'node:net';
import { require } from './harness.mjs';

const [mode, socketPath, , program, ...args] = process.argv.slice(2);

if (mode === 'server') {
  const pty = require('@homebridge/node-pty-prebuilt-multiarch');
  const child = pty.spawn(program, args, { name: 'xterm-256color', cols: 80, rows: 24, encoding: null });
  const clients = new Set();
  let early = []; // output before the first client connects (the program's ready line) goes to it
  child.onData((data) => {
    if (early) early.push(data);
    for (const client of clients) client.write(data);
  });
  child.onExit(() => process.exit(0));
  fs.rmSync(socketPath, { force: true });
  net
    .createServer((socket) => {
      clients.add(socket);
      if (early) socket.write(Buffer.concat(early));
      early = undefined;
      socket.on('data', (data) => child.write(data));
      socket.on('close', () => clients.delete(socket));
    })
    .listen(socketPath);
} else if (mode === 'client') {
  const socket = net.connect(socketPath);
  process.stdin.setRawMode(true);
  process.stdin.on('data', (data) => socket.write(data));
  socket.on('data', (data) => process.stdout.write(data));
  socket.on('close', () => process.exit(0));
} else {
  throw new Error('usage: node-relay.mjs server SOCKET -- PROGRAM ARGS… | client SOCKET');
}
