// Colour for people, never for scripts: only on a terminal, and never when NO_COLOR is set (no-color.org).

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export interface Colors {
  readonly enabled: boolean;
  /** `text` in the given styles, or unchanged when colour is off. */
  paint(text: string, ...styles: (Style | undefined)[]): string;
}

type Env = Record<string, string | undefined>;

/** Colour is on for a TTY unless NO_COLOR is set to anything but the empty string. */
export function colorsFor(stream: { isTTY?: boolean }, env: Env = process.env): Colors {
  return makeColors(Boolean(stream.isTTY) && !env.NO_COLOR);
}

export function makeColors(enabled: boolean): Colors {
  return {
    enabled,
    paint(text, ...styles) {
      const used = styles.filter((style): style is Style => style !== undefined);
      if (!enabled || !used.length || !text) return text;
      const open = used.map((style) => `\x1b[${CODES[style][0]}m`).join('');
      const close = used.map((style) => `\x1b[${CODES[style][1]}m`).reverse().join('');
      return `${open}${text}${close}`;
    },
  };
}

/** The text without SGR sequences: what it takes on the screen. */
export function stripColor(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
