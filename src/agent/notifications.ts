// Desktop-notification requests programs send their terminal: OSC 9 (iTerm2 style), OSC 777
// (notify;title;body) and OSC 99 (kitty: metadata;payload, possibly in several chunks).

export interface TerminalNotification {
  title: string;
  body: string;
  via: 'osc9' | 'osc777' | 'osc99';
}

export class NotificationParser {
  /** Kitty notifications being assembled, by identifier. */
  private readonly pending = new Map<string, { title: string; body: string }>();

  parse(kind: 'osc9' | 'osc777' | 'osc99', data: string): TerminalNotification | undefined {
    switch (kind) {
      case 'osc9':
        return { title: '', body: data, via: 'osc9' };
      case 'osc777': {
        const [command, title = '', ...body] = data.split(';');
        return command === 'notify' ? { title, body: body.join(';'), via: 'osc777' } : undefined;
      }
      case 'osc99':
        return this.kitty(data);
    }
  }

  private kitty(data: string): TerminalNotification | undefined {
    const split = data.indexOf(';');
    const metadata = new Map(
      (split === -1 ? data : data.slice(0, split))
        .split(':')
        .filter(Boolean)
        .map((pair) => pair.split('=', 2) as [string, string]),
    );
    const rawPayload = split === -1 ? '' : data.slice(split + 1);
    const payload = metadata.get('e') === '1' ? Buffer.from(rawPayload, 'base64').toString('utf8') : rawPayload;
    const id = metadata.get('i') ?? '';
    const entry = this.pending.get(id) ?? { title: '', body: '' };
    if (metadata.get('p') === 'body') entry.body += payload;
    else if ((metadata.get('p') ?? 'title') === 'title') entry.title += payload;
    if (metadata.get('d') === '0') {
      this.pending.set(id, entry);
      return undefined;
    }
    this.pending.delete(id);
    return entry.title || entry.body ? { ...entry, via: 'osc99' } : undefined;
  }
}
