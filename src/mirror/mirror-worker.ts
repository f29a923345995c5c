// Entry of the screen-mirror worker thread: owns every session's headless terminal, off the PTY thread.
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../protocol/messages';
import type { MirrorReply, MirrorRequest } from './mirror-protocol';
import { Screen } from './screen';

const port = parentPort;
if (!port) throw new Error('mirror-worker must run in a worker thread');

const screens = new Map<string, Screen>();
const post = (reply: MirrorReply) => port.postMessage(reply);

async function reply(req: number, id: string, produce: (screen: Screen) => MirrorReply): Promise<void> {
  const screen = screens.get(id);
  if (!screen) {
    post({ op: 'failed', req, message: `no screen for session ${id}` });
    return;
  }
  await screen.settled();
  try {
    post(produce(screen));
  } catch (error) {
    post({ op: 'failed', req, message: (error as Error).message });
  }
}

port.on('message', (message: MirrorRequest) => {
  switch (message.op) {
    case 'create': {
      const screen = new Screen(message.cols, message.rows, message.scrollback);
      screen.terminal.onData((data) => post({ op: 'answer', id: message.id, data }));
      screen.terminal.onTitleChange((title) => post({ op: 'title', id: message.id, title }));
      screens.set(message.id, screen);
      break;
    }
    case 'write': {
      const bytes = message.data.length;
      screens.get(message.id)?.write(message.data, () => post({ op: 'parsed', id: message.id, bytes }));
      break;
    }
    case 'resize':
      screens.get(message.id)?.resize(message.cols, message.rows);
      break;
    case 'repaint':
      void reply(message.req, message.id, (screen) => ({
        op: 'repaint',
        req: message.req,
        data: screen.repaint(message.scrollback),
        altScreen: screen.terminal.buffer.active.type === 'alternate',
      }));
      break;
    case 'text':
      void reply(message.req, message.id, (screen) => ({
        op: 'text',
        req: message.req,
        screen: screen.text({ ansi: message.ansi, scrollback: message.scrollback }),
      }));
      break;
    case 'dispose':
      screens.get(message.id)?.dispose();
      screens.delete(message.id);
      break;
    default:
      assertNever(message);
  }
});
