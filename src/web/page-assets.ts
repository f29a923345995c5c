// The page's files, built by scripts/build.mjs into the daemon bundle (so the single binary carries them,
// no CDN): the app (behind a login) and the login page, with content types and ETags.
import { createHash } from 'node:crypto';

export interface Asset {
  type: string;
  body: Buffer;
  etag: string;
  /** Served only to a logged-in browser. */
  private: boolean;
}

function html(title: string, script: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<link rel="stylesheet" href="/${style}">
<script src="/${script}" defer></script>
</head>
<body>${body}</body>
</html>
`;
}

function asset(type: string, text: string, isPrivate: boolean): Asset {
  const body = Buffer.from(text, 'utf8');
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`, private: isPrivate };
}

function file(name: string): string {
  // Required when first served, like the worker sources: only the bundle can provide it.
  const files = (require('virtual:web-page') as { default: Record<string, string> }).default;
  const text = files[name];
  if (text === undefined) throw new Error(`internal: the page bundle has no ${name}; rebuild with scripts/build.mjs`);
  return text;
}

let cache: Map<string, Asset> | undefined;

/** Assets by URL path; `/` is the app, `/login` the page shown to a browser that is not logged in. */
export function pageAssets(): Map<string, Asset> {
  cache ??= new Map([
    ['/', asset('text/html; charset=utf-8', html('ccmux', 'app.js', 'app.css', '<div id="app"></div>'), true)],
    ['/login', asset('text/html; charset=utf-8', html('ccmux — log in', 'login.js', 'login.css', '<main id="login"></main>'), false)],
    ['/app.js', asset('text/javascript; charset=utf-8', file('app.js'), true)],
    ['/app.css', asset('text/css; charset=utf-8', file('app.css'), true)],
    ['/login.js', asset('text/javascript; charset=utf-8', file('login.js'), false)],
    ['/login.css', asset('text/css; charset=utf-8', file('login.css'), false)],
  ]);
  return cache;
}
