// The web console: submit images, follow each job live, show its scores.
// Plain DOM and fetch, no framework and nothing loaded from elsewhere, so that it
// works offline and behind any proxy the API itself works behind.

const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);
const KEY_STORAGE = 'infer.apiKey';

const $ = (id) => document.getElementById(id);
const keyInput = $('api-key');
const modelSelect = $('model');
const formError = $('form-error');

keyInput.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
keyInput.addEventListener('change', () => {
  sessionStorage.setItem(KEY_STORAGE, keyInput.value.trim());
  loadModels();
});

/** Authorization for /v1 when a key was entered. */
function authHeaders() {
  const key = keyInput.value.trim();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** The API's error message from an error answer (`{ error: { code, message } }`), or the status line. */
async function errorOf(response) {
  try {
    const body = await response.json();
    if (body?.error?.message) return body.error;
  } catch {
    // not JSON
  }
  return { code: `http_${response.status}`, message: `${response.status} ${response.statusText}` };
}

function showFormError(message) {
  formError.textContent = message ?? '';
  formError.hidden = !message;
}

async function loadModels() {
  const response = await fetch('/v1/models', { headers: authHeaders() }).catch(() => undefined);
  if (!response?.ok) {
    const error = response ? await errorOf(response) : { code: 'network', message: 'the API cannot be reached' };
    modelSelect.replaceChildren(new Option('no models', ''));
    showFormError(
      error.code === 'unauthorized'
        ? 'The API requires an API key: enter it above.'
        : `Cannot list models: ${error.message}`,
    );
    if (error.code === 'unauthorized') keyInput.focus();
    return;
  }
  showFormError('');
  const { models } = await response.json();
  const previous = modelSelect.value;
  modelSelect.replaceChildren(
    ...models.map((model) => {
      const option = new Option(`${model.name} (v${model.default_version})`, model.name);
      option.dataset.available = String(model.available);
      option.dataset.workers = String(model.workers);
      option.dataset.failed = Object.entries(model.failed_versions ?? {})
        .map(([version, reason]) => `v${version} failed to load: ${reason}`)
        .join('; ');
      return option;
    }),
  );
  if (models.some((model) => model.name === previous)) modelSelect.value = previous;
  describeModel();
}

function describeModel() {
  const option = modelSelect.selectedOptions[0];
  $('model-status').textContent = !option?.value
    ? ''
    : option.dataset.available === 'true'
      ? `${option.dataset.workers} worker(s) live`
      : 'no worker live: jobs wait in the queue';
  describeRollout(option);
}

/** Beside the model: its canary and shadow, and how the shadow candidate agrees with what answered. */
async function describeRollout(option) {
  const target = $('model-rollout');
  target.textContent = option?.dataset.failed ?? '';
  if (!option?.value) return;
  const response = await fetch(`/v1/models/${encodeURIComponent(option.value)}/routing`, {
    headers: authHeaders(),
  }).catch(() => undefined);
  if (!response?.ok || modelSelect.value !== option.value) return;
  const { routing, shadow_stats: stats } = await response.json();
  const parts = [];
  if (routing?.canary) parts.push(`canary v${routing.canary.version} ${routing.canary.percent}%`);
  if (routing?.shadow) parts.push(`shadow v${routing.shadow.version} ${routing.shadow.percent}%`);
  const ms = (value) => (value === null ? '–' : `${value} ms`);
  for (const s of stats) {
    if (s.compared === 0 && s.errors.candidate === 0 && s.dropped === 0) continue;
    const agreement = s.top1_agreement === null ? '–' : `${(s.top1_agreement * 100).toFixed(1)}%`;
    parts.push(
      `v${s.candidate}: ${s.compared} compared, top-1 agreement ${agreement}, ` +
        `mean |Δscore| ${s.mean_abs_score_diff?.toFixed(3) ?? '–'}, ` +
        `p50/p95 ${ms(s.latency_ms.candidate.p50)}/${ms(s.latency_ms.candidate.p95)} ` +
        `vs ${ms(s.latency_ms.primary.p50)}/${ms(s.latency_ms.primary.p95)}, ` +
        `errors ${s.errors.primary}/${s.errors.candidate}, dropped ${s.dropped}`,
    );
  }
  if (option.dataset.failed) parts.push(option.dataset.failed);
  target.textContent = parts.join(' · ');
}
modelSelect.addEventListener('change', describeModel);

// --- Files in: picker and drag-and-drop ---------------------------------------------------
const dropZone = $('drop-zone');
const fileInput = $('files');
fileInput.addEventListener('change', () => {
  submitAll([...fileInput.files]);
  fileInput.value = '';
});
for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) dropZone.addEventListener(type, () => dropZone.classList.remove('over'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  submitAll([...(event.dataTransfer?.files ?? [])]);
});

function submitAll(files) {
  if (files.length === 0) return;
  $('no-jobs').hidden = true;
  for (const file of files) void submit(file);
}

// --- One job: its card, its submission, its event stream -----------------------------------
function jobCard(file) {
  const item = document.createElement('li');
  item.className = 'job';
  const thumbnail = document.createElement('img');
  thumbnail.src = URL.createObjectURL(file);
  thumbnail.alt = '';
  // A file the browser cannot draw (the API will say why) leaves an empty tile, not a broken-image icon.
  thumbnail.addEventListener('error', () => thumbnail.removeAttribute('src'));
  const body = document.createElement('div');
  const title = document.createElement('h3');
  title.textContent = file.name;
  const status = document.createElement('p');
  status.className = 'status';
  status.textContent = 'uploading…';
  const scores = document.createElement('ul');
  scores.className = 'scores';
  scores.setAttribute('aria-label', `scores for ${file.name}`);
  body.append(title, status, scores);
  item.append(thumbnail, body);
  $('jobs').prepend(item);
  return {
    item,
    setStatus(state, text) {
      status.className = `status ${state}`;
      status.textContent = text;
      item.dataset.status = state;
    },
    showScores(predictions) {
      scores.replaceChildren(
        ...predictions.map((prediction, index) => {
          const row = document.createElement('li');
          if (index === 0) row.className = 'top';
          const label = document.createElement('span');
          label.className = 'label';
          label.textContent = prediction.label;
          const bar = document.createElement('span');
          bar.className = 'bar';
          bar.setAttribute('role', 'img');
          const percent = (prediction.score * 100).toFixed(1);
          bar.setAttribute('aria-label', `${prediction.label} ${percent} percent`);
          const fill = document.createElement('span');
          fill.style.width = `${Math.max(0, Math.min(100, prediction.score * 100))}%`;
          bar.append(fill);
          const score = document.createElement('span');
          score.className = 'score';
          score.textContent = `${percent}%`;
          score.setAttribute('aria-hidden', 'true');
          row.append(label, bar, score);
          return row;
        }),
      );
    },
  };
}

async function submit(file) {
  const card = jobCard(file);
  const form = new FormData();
  form.set('image', file, file.name);
  if (modelSelect.value) form.set('model', modelSelect.value);
  let response;
  try {
    response = await fetch('/v1/jobs', { method: 'POST', body: form, headers: authHeaders() });
  } catch {
    card.setStatus('failed', 'failed: the API cannot be reached');
    return;
  }
  if (!response.ok) {
    const error = await errorOf(response);
    card.setStatus('failed', `refused: ${error.message}`);
    if (error.code === 'unauthorized') keyInput.focus();
    return;
  }
  const job = await response.json();
  card.item.dataset.jobId = job.id;
  render(card, job);
  await follow(card, job.id);
}

function render(card, job) {
  if (job.status === 'queued') {
    card.setStatus('queued', job.queue_position ? `queued, position ${job.queue_position}` : 'queued');
  } else if (job.status === 'running') {
    card.setStatus('running', 'running');
  } else if (job.status === 'succeeded') {
    const top = job.result?.predictions?.[0];
    card.setStatus('succeeded', top ? `succeeded: ${top.label}` : 'succeeded');
    card.showScores(job.result?.predictions ?? []);
  } else {
    card.setStatus(job.status, `${job.status}: ${job.error?.message ?? 'no reason given'}`);
  }
}

/**
 * The job's Server-Sent Events, read with fetch rather than EventSource so that the
 * Authorization header goes along; reconnects until the job is terminal.
 */
async function follow(card, id) {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const response = await fetch(`/v1/jobs/${id}/events`, {
        headers: { ...authHeaders(), accept: 'text/event-stream' },
      });
      if (!response.ok || !response.body) throw new Error((await errorOf(response)).message);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let end = buffered.indexOf('\n\n');
        while (end !== -1) {
          const job = statusEvent(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf('\n\n');
          if (!job) continue;
          render(card, job);
          if (TERMINAL.has(job.status)) {
            await reader.cancel();
            return;
          }
        }
      }
    } catch {
      // dropped: reconnect below
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 5000)));
  }
  card.setStatus('failed', 'lost track of the job: reload to see it');
}

/** The job of one `event: status` block, or undefined for comments, retry hints and other events. */
function statusEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  if (event !== 'status' || data.length === 0) return undefined;
  return JSON.parse(data.join('\n'));
}

loadModels();
