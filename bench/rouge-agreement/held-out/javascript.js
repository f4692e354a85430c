// Debounced search box: fetches suggestions as the user types.
import { fetchJson } from './http.js';

const DELAY_MS = 250;
const cache = new Map();

export function debounce(fn, wait = DELAY_MS) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

async function suggestions(query) {
  if (cache.has(query)) {
    return cache.get(query);
  }
  const url = `/api/suggest?q=${encodeURIComponent(query)}&limit=8`;
  const { items = [] } = await fetchJson(url);
  cache.set(query, items);
  return items;
}

function render(list, items) {
  list.innerHTML = '';
  for (const item of items) {
    const li = document.createElement('li');
    li.textContent = item.title;
    li.dataset.id = String(item.id);
    list.appendChild(li);
  }
  list.hidden = items.length === 0;
}

export default function attach(input, list) {
  const update = debounce(async (event) => {
    const query = event.target.value.trim();
    if (query.length < 2) {
      render(list, []);
      return;
    }
    try {
      render(list, await suggestions(query));
    } catch (err) {
      console.warn("suggest failed", err);
    }
  });
  input.addEventListener('input', update);
  list.addEventListener('click', (e) => {
    if (e.target.tagName !== 'LI') return;
    input.value = e.target.textContent;
    list.hidden = true;
  });
  return { update, size: () => cache.size, ready: true };
}
