// Entry of the screen-mirror worker thread: owns every session's headless terminal and text index,
// off the PTY thread.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../protocol/messages';
import type { MirrorReply, MirrorRequest } from './mirror-protocol';
import { SessionFeed } from './session-feed';

const port = parentPort;
if (!port) throw new Error('mirror-worker must run in a worker thread');

/**
 * This thread runs niced (Linux nice values are per thread): reading the PTYs, forwarding to clients and
 * recording come first; the mirror may lag behind a flood and catch up from the recording afterwards.
 */
const MIRROR_NICE = 19;
try {
  setPriority(MIRROR_NICE);
} catch {
  // Not permitted or not supported: the mirror then simply competes as an equal.
}

const feeds = new Map<string, SessionFeed>();
const post = (reply: MirrorReply, transfer?: ArrayBuffer[]) => port.postMessage(reply, transfer);

async function reply(req: number, id: string, produce: (feed: SessionFeed) => MirrorReply | Promise<MirrorReply>): Promise<void> {
  const feed = feeds.get(id);
  if (!feed) {
    post({ op: 'failed', req, message: `no screen for session ${id}` });
    return;
  }
  await feed.settled();
  try {
    post(await produce(feed));
  } catch (error) {
    post({ op: 'failed', req, message: (error as Error).message });
  }
}

port.on('message', (message: MirrorRequest) => {
  switch (message.op) {
    case 'create':
      feeds.get(message.id)?.dispose();
      feeds.set(message.id, new SessionFeed(message.id, message.cols, message.rows, message.scrollback, message.offset, post));
      break;
    case 'write':
      feeds.get(message.id)?.write(message.data, message.times, message.lengths);
      break;
    case 'records':
      feeds.get(message.id)?.writeRecords(message.from, message.to, message.records);
      break;
    case 'resize':
      feeds.get(message.id)?.resize(message.cols, message.rows);
      break;
    case 'repaint':
      void reply(message.req, message.id, (feed) => ({
        op: 'repaint',
        req: message.req,
        data: feed.screen.repaint(message.scrollback),
        altScreen: feed.screen.terminal.buffer.active.type === 'alternate',
      }));
      break;
    case 'text':
      void reply(message.req, message.id, (feed) => ({
        op: 'text',
        req: message.req,
        screen: feed.screen.text({ ansi: message.ansi, scrollback: message.scrollback }),
      }));
      break;
    case 'tail':
      void reply(message.req, message.id, (feed) => ({ op: 'tail', req: message.req, ...feed.screen.tail(message.lines) }));
      break;
    case 'flush':
      void reply(message.req, message.id, (feed) => {
        feed.flushLines(true);
        return { op: 'flushed', req: message.req };
      });
      break;
    case 'dispose':
      feeds.get(message.id)?.dispose();
      feeds.delete(message.id);
      break;
    default:
      assertNever(message);
  }
});
