// The page a browser without a login gets: it trades a `#token=` fragment for a cookie, or takes a pasted token.
import { el } from './dom';
import { exchangeToken, takeFragmentToken } from './login-exchange';
import './login.css';

function showForm(root: HTMLElement, error: string | undefined): void {
  const input = el('input', { type: 'password', name: 'token', autocomplete: 'off', placeholder: 'ccmux_…', 'aria-label': 'token', required: true });
  const message = el('p', { class: 'error', role: 'alert' }, error ?? '');
  const form = el(
    'form',
    {},
    el('h1', {}, 'ccmux'),
    el('p', {}, 'Open the link ', el('code', {}, 'ccmux web'), ' prints, or paste a token from ', el('code', {}, 'ccmux token'), '.'),
    input,
    el('button', { type: 'submit' }, 'Log in'),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void exchangeToken(input.value).then((failure) => {
      if (failure === undefined) location.replace('/');
      else message.textContent = failure;
    });
  });
  root.replaceChildren(form);
  input.focus();
}

async function fromFragment(root: HTMLElement): Promise<void> {
  const token = takeFragmentToken();
  if (token === undefined) return;
  root.replaceChildren(el('p', {}, 'Logging in…'));
  const failure = await exchangeToken(token);
  if (failure === undefined) location.replace('/');
  else showForm(root, failure);
}

const root = document.getElementById('login')!;
showForm(root, undefined);
void fromFragment(root);
// A link pasted into this tab changes only the fragment: no new page load.
window.addEventListener('hashchange', () => void fromFragment(root));
