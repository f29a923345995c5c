// How to show a notification on the user's own terminal: OSC 99 for kitty, OSC 9 for iTerm2, WezTerm,
// Ghostty and Windows Terminal, OSC 777 for VTE and foot, a bell otherwise — wrapped for tmux
// passthrough when this client itself runs inside tmux.

type Env = Record<string, string | undefined>;

/** Control characters would end or corrupt the sequence. */
function clean(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, ' ').slice(0, 500);
}

export function notificationSequence(title: string, body: string, env: Env = process.env): string {
  const [t, b] = [clean(title), clean(body)];
  const program = env.TERM_PROGRAM ?? '';
  let sequence: string;
  if (env.KITTY_WINDOW_ID || env.TERM === 'xterm-kitty') {
    sequence = `\x1b]99;i=ccmux:d=0;${t}\x1b\\\x1b]99;i=ccmux:p=body;${b}\x1b\\`;
  } else if (['iTerm.app', 'WezTerm', 'ghostty'].includes(program) || env.WT_SESSION) {
    sequence = `\x1b]9;${b ? `${t}: ${b}` : t}\x07`;
  } else if (env.VTE_VERSION || program === 'foot' || env.TERM?.startsWith('foot')) {
    sequence = `\x1b]777;notify;${t.replace(/;/g, ',')};${b}\x07`;
  } else {
    sequence = '\x07';
  }
  // Inside tmux the outer terminal only sees it through tmux's passthrough (every ESC doubled).
  return env.TMUX ? `\x1bPtmux;${sequence.replace(/\x1b/g, '\x1b\x1b')}\x1b\\` : sequence;
}
