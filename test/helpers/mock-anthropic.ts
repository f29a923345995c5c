// A scripted stand-in for the Anthropic Messages API on 127.0.0.1, so the real Claude Code CLI runs offline.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { text: string } | { tool: { name: string; input: Record<string, unknown> } };

export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  messages: { role: string; content: string | { type: string; text?: string; tool_use_id?: string; content?: unknown; is_error?: boolean }[] }[];
  [field: string]: unknown;
}

export interface LoggedRequest {
  /** Date.now() when the request arrived and when its answer was complete. */
  at: number;
  doneAt: number;
  method: string;
  url: string;
  body: unknown;
  /** Answered with a scripted reply (false: a fallback for something not scripted). */
  scripted: boolean;
}

/** The newest user turn: what the user typed, and the tool result it carries, if any. */
export function lastUserTurn(request: MessagesRequest): { text: string; toolResult: { content: string; isError: boolean } | undefined } {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  const parts = typeof last?.content === 'string' ? [{ type: 'text', text: last.content }] : (last?.content ?? []);
  const result = parts.find((part) => part.type === 'tool_result');
  const flatten = (content: unknown): string =>
    typeof content === 'string' ? content : Array.isArray(content) ? content.map((item: { text?: string }) => item.text ?? '').join('') : '';
  return {
    // What the user typed: Claude Code adds system reminders and interruption notes to the turn.
    text: parts
      .filter((part) => part.type === 'text' && !part.text?.startsWith('[Request interrupted'))
      .map((part) => (part.text ?? '').replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim())
      .filter(Boolean)
      .join('\n'),
    toolResult: result ? { content: flatten(result.content), isError: Boolean(result.is_error) } : undefined,
  };
}

function sse(event: string, data: object): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

let ids = 0;

/** The streamed events of one assistant message (what the Messages API sends with `stream: true`). */
function streamEvents(model: string, reply: Reply): string[] {
  const id = `msg_mock${++ids}`;
  const usage = { input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const events = [sse('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } })];
  if ('text' in reply) {
    events.push(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    // Two deltas, as a real stream splits text.
    const half = Math.ceil(reply.text.length / 2);
    for (const part of [reply.text.slice(0, half), reply.text.slice(half)]) {
      if (part) events.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } }));
    }
  } else {
    const block = { type: 'tool_use', id: `toolu_mock${ids}`, name: reply.tool.name, input: {} };
    events.push(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: block }));
    const json = JSON.stringify(reply.tool.input);
    const half = Math.ceil(json.length / 2);
    for (const part of [json.slice(0, half), json.slice(half)]) {
      events.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: part } }));
    }
  }
  events.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
  const stop = 'text' in reply ? 'end_turn' : 'tool_use';
  events.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 20 } }));
  events.push(sse('message_stop', { type: 'message_stop' }));
  return events;
}

/** The same message, whole (for a request without `stream: true`). */
function wholeMessage(model: string, reply: Reply): object {
  const content = 'text' in reply ? [{ type: 'text', text: reply.text }] : [{ type: 'tool_use', id: `toolu_mock${++ids}`, ...reply.tool }];
  return {
    id: `msg_mock${++ids}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: 'text' in reply ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 20 },
  };
}

/**
 * Answers `POST /v1/messages` with what `respond` says for each request; token counting gets a
 * plausible count; anything else is logged as unexpected and refused with an API error.
 */
export class MockAnthropic {
  readonly requests: LoggedRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly server: http.Server;
  private readonly respond: (request: MessagesRequest) => Reply | Promise<Reply>;

  private constructor(respond: (request: MessagesRequest) => Reply | Promise<Reply>) {
    this.respond = respond;
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void this.handle(request, response, Buffer.concat(chunks).toString('utf8')));
    });
  }

  static async start(respond: (request: MessagesRequest) => Reply | Promise<Reply>): Promise<MockAnthropic> {
    const mock = new MockAnthropic(respond);
    await new Promise<void>((resolve) => mock.server.listen(0, '127.0.0.1', resolve));
    return mock;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The Messages requests answered from the script, in order. */
  get messages(): LoggedRequest[] {
    return this.requests.filter((request) => request.scripted);
  }

  /** What went to the mock, one line per request, for failure messages. */
  describe(): string {
    const lines = this.requests.map((request) => `${request.method} ${request.url} ${request.scripted ? '' : '(fallback)'}`);
    return [...lines, ...this.unexpected.map((line) => `unexpected: ${line}`)].join('\n');
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse, text: string): Promise<void> {
    const at = Date.now();
    const url = request.url ?? '';
    const route = url.split('?')[0];
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Logged as text.
    }
    const log = (scripted: boolean) => this.requests.push({ at, doneAt: Date.now(), method: request.method ?? '', url, body, scripted });
    if (request.method === 'POST' && route === '/v1/messages/count_tokens') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: Math.ceil(text.length / 4) }));
      log(false);
      return;
    }
    if (request.method !== 'POST' || route !== '/v1/messages' || typeof body !== 'object' || !body) {
      this.unexpected.push(`${request.method} ${url} ${text.slice(0, 200)}`);
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `the mock does not serve ${request.method} ${route}` } }));
      log(false);
      return;
    }
    const messages = body as MessagesRequest;
    let reply: Reply;
    try {
      reply = await this.respond(messages);
    } catch (error) {
      this.unexpected.push(`POST ${url}: the script failed: ${(error as Error).message}`);
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: (error as Error).message } }));
      log(false);
      return;
    }
    const model = messages.model ?? 'claude-mock';
    if (!messages.stream) {
      response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_mock${ids}` }).end(JSON.stringify(wholeMessage(model, reply)));
      log(true);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_mock${ids}` });
    for (const event of streamEvents(model, reply)) response.write(event);
    response.end(() => log(true));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
