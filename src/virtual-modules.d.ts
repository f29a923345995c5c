// Modules that scripts/build.mjs provides at bundle time.
declare module 'virtual:mirror-worker' {
  const source: string;
  export default source;
}

declare module 'virtual:plugin-worker' {
  const source: string;
  export default source;
}

/** The web page's browser bundles by file name (`app.js`, `app.css`, `login.js`, `login.css`). */
declare module 'virtual:web-page' {
  const files: Record<string, string>;
  export default files;
}
