// Trading the secret in the URL fragment (never sent to the server, so never in its logs or in a Referer)
// for an HttpOnly SameSite=Strict cookie, once; the fragment is wiped from the address bar and history first.

/** The token in `#token=…`, removed from the address bar; undefined when there is none. */
export function takeFragmentToken(): string | undefined {
  const match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
  if (!match) return undefined;
  history.replaceState(null, '', location.pathname + location.search);
  return decodeURIComponent(match[1]!);
}

/** Logs this browser in with a token or link; resolves with an error message, or undefined on success. */
export async function exchangeToken(token: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token.trim() }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return 'cannot reach ccmux';
  }
  if (response.ok) return undefined;
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  return body.error ?? `login failed (${response.status})`;
}
