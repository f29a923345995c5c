// Entry of the screen-mirror worker thread: owns every session's headless terminal and text index,
// off the PTY thread.
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../protocol/messages';
import type { MirrorReply, MirrorRequest } from './mirror-protocol';
import { SessionFeed } from './session-feed';

const port = parentPort;
if (!port) throw new Error('mirror-worker must run in a worker thread');

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
    case 'resize':
      feeds.get(message.id)?.screen.resize(message.cols, message.rows);
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
      void reply(message.req, message.id, async (feed) => {
        await feed.flushLines(true);
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
