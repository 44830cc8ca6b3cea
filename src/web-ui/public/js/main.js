// The storage browser: boots, routes by the URL hash, and renders one view at a time.

import { captureToken, getData, KINDS, setToken } from './api.js';
import { h } from './dom.js';
import { currentRoute } from './router.js';
import { errorNotice, hasToken } from './ui.js';
import { renderList } from './views/lists.js';
import { renderStore } from './views/store.js';

let renderCount = 0;

/** Renders the current route into #main; a newer navigation wins over a slower older one. */
async function render() {
  const seq = ++renderCount;
  const { segments, params } = currentRoute();
  const [kindKey = 'datasets', id, tab] = segments;
  const kind = KINDS[kindKey];
  markNav(kind ? kindKey : null);
  const view = h('div', { class: 'view' });
  const progress = document.getElementById('progress');
  const slow = setTimeout(() => {
    progress.hidden = false;
  }, 150);
  try {
    if (!kind) throw Object.assign(new Error(`There is no page "#/${segments.join('/')}".`), { status: 404 });
    if (id === undefined) await renderList(kindKey, params, view, rerender);
    else await renderStore(kindKey, id, tab, params, view, rerender);
  } catch (err) {
    view.replaceChildren(errorNotice(err));
  } finally {
    clearTimeout(slow);
    if (seq === renderCount) progress.hidden = true;
  }
  if (seq !== renderCount) return;
  document.getElementById('main').replaceChildren(view);
  // How many views were shown: lets tests (and scripts) wait for a navigation to finish.
  document.body.dataset.renders = String(seq);
  document.title = `${view.dataset.title ?? kind?.label ?? 'Storage'} · actor-storage`;
  renderSession();
}

const rerender = () => void render();

function markNav(active) {
  for (const link of document.querySelectorAll('.nav a')) {
    link.classList.toggle('active', link.dataset.kind === active);
  }
}

let storageDir;

/** The top bar's end: the folder served (asked once) and the token state. */
async function renderSession() {
  const session = document.getElementById('session');
  if (!hasToken()) {
    session.replaceChildren(h('span', { class: 'badge badge-muted', title: 'Reads by id only' }, 'no token'));
    return;
  }
  if (storageDir === undefined) {
    storageDir = null;
    try {
      storageDir = (await getData('local/info')).storageDir;
    } catch {
      storageDir = undefined; // a wrong token: asked again after the next change
    }
  }
  const forget = h(
    'button',
    { type: 'button', class: 'btn btn-small', title: 'Forget the token of this tab' },
    'Forget token',
  );
  forget.addEventListener('click', () => {
    setToken('');
    storageDir = undefined;
    rerender();
  });
  session.replaceChildren(
    storageDir ? h('code', { class: 'storage-dir', title: 'Storage folder' }, storageDir) : null,
    forget,
  );
}

captureToken();
window.addEventListener('hashchange', rerender);
rerender();
