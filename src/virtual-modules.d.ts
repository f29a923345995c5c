// Modules that scripts/build.mjs provides at bundle time.
declare module 'virtual:mirror-worker' {
  const source: string;
  export default source;
}

declare module 'virtual:plugin-worker' {
  const source: string;
  export default source;
}
