// The search box: literal text across every session's recorded output; a hit opens the replay at its moment.
import type { SearchHit } from '../../protocol/requests';
import { formatClock as clock } from '../../util/duration';
import { el } from './dom';

export interface SearchOptions {
  search(pattern: string): Promise<{ hits: SearchHit[]; truncated: boolean }>;
  open(hit: SearchHit): void;
}

const DEBOUNCE_MS = 300;

/** The line with every occurrence of `pattern` (any case) marked. */
function highlighted(line: string, pattern: string): HTMLElement {
  const code = el('code', { class: 'hit-line' });
  const lower = line.toLowerCase();
  const needle = pattern.toLowerCase();
  let at = 0;
  for (let found = lower.indexOf(needle); found !== -1 && needle; found = lower.indexOf(needle, at)) {
    code.append(line.slice(at, found), el('mark', {}, line.slice(found, found + needle.length)));
    at = found + needle.length;
  }
  code.append(line.slice(at));
  return code;
}

export class SearchView {
  readonly input: HTMLInputElement;
  readonly results: HTMLElement;
  private timer: number | undefined;
  /** Answers to older queries are ignored. */
  private generation = 0;

  constructor(private readonly options: SearchOptions) {
    this.input = el('input', { type: 'search', class: 'search', placeholder: 'Search all output…', 'aria-label': 'search recordings', autocomplete: 'off' });
    this.results = el('div', { class: 'search-results', hidden: true, role: 'listbox' });
    this.input.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.run(), DEBOUNCE_MS);
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.hide();
      if (event.key === 'Enter') {
        window.clearTimeout(this.timer);
        void this.run();
      }
    });
  }

  hide(): void {
    this.results.hidden = true;
  }

  private async run(): Promise<void> {
    const pattern = this.input.value;
    const generation = ++this.generation;
    if (pattern.trim().length < 2) return this.hide();
    let answer: { hits: SearchHit[]; truncated: boolean };
    try {
      answer = await this.options.search(pattern);
    } catch (error) {
      if (generation !== this.generation) return;
      this.results.replaceChildren(el('p', { class: 'hint' }, `Search failed: ${(error as Error).message}`));
      this.results.hidden = false;
      return;
    }
    if (generation !== this.generation) return;
    this.results.replaceChildren();
    if (!answer.hits.length) this.results.append(el('p', { class: 'hint' }, `No output matches “${pattern}”.`));
    for (const hit of answer.hits) {
      const button = el(
        'button',
        { type: 'button', class: 'hit', role: 'option', 'data-session': hit.id, 'data-time': String(hit.time) },
        el('span', { class: 'hit-where' }, `${hit.session} +${clock(hit.time)}${hit.count > 1 ? ` ×${hit.count}` : ''}`),
        highlighted(hit.line, pattern),
      );
      button.addEventListener('click', () => {
        this.hide();
        this.options.open(hit);
      });
      this.results.append(button);
    }
    if (answer.truncated) this.results.append(el('p', { class: 'hint' }, 'More hits than shown; narrow the search.'));
    this.results.hidden = false;
  }
}
