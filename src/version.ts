// The ccmux version, injected at build time from package.json.
declare const __CCMUX_VERSION__: string | undefined;

export const VERSION: string = typeof __CCMUX_VERSION__ === 'string' ? __CCMUX_VERSION__ : '0.0.0-dev';
