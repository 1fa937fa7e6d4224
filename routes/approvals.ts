import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { callerOf } from '../plugins/auth.js'
import type { Gate } from '../src/gate/gate.js'

/** Options of the approval routes. */
export interface ApprovalRoutesOptions {
  gate: Gate
}

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) })

/**
 * The approval API (bearer-protected, approvers and admins only): `GET /approvals/:id/request` shows what is waiting,
 * `POST /approvals/:id/approve` and `/reject` decide it. Not tools: left out of the OpenAPI document, so no model is
 * offered a way to approve its own calls.
 */
export const approvalApi: FastifyPluginAsync<ApprovalRoutesOptions> = async function approvalApi (app, opts) {
  app.get('/approvals/:id/request', { schema: { hide: true, params: Params } }, async function showApproval (request) {
    const { id } = request.params as { id: string }
    return await opts.gate.approval(id, callerOf(request))
  })
  for (const verdict of ['approve', 'reject'] as const) {
    app.post(`/approvals/:id/${verdict}`, { schema: { hide: true, params: Params } }, async function decideApproval (request) {
      const { id } = request.params as { id: string }
      return await opts.gate.decide(id, callerOf(request), verdict)
    })
  }
}

/**
 * The page a person opens from an `approveUrl`: public HTML with no data in it. It asks for the approver's token,
 * then shows the preview and the Approve / Reject buttons through the protected API.
 */
export const approvalPage: FastifyPluginAsync<{ signIn: boolean }> = async function approvalPage (app, opts) {
  app.get('/approvals/:id', { schema: { hide: true, params: Params } }, async function page (_request, reply) {
    const nonce = randomBytes(16).toString('base64')
    return await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`)
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .send(PAGE.replaceAll('{{nonce}}', nonce).replace('{{signIn}}', opts.signIn ? '' : ' hidden'))
  })
}

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Approve a HyperCore call</title>
<style nonce="{{nonce}}">
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
h1{font-size:1.4rem} .box{border:1px solid #c8ced8;border-radius:8px;padding:1rem;margin:1rem 0}
.preview{font-family:ui-monospace,monospace;white-space:pre-wrap;background:#fff6e5;border-left:4px solid #e08a00;padding:.6rem}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem;border-radius:6px;border:1px solid #888;cursor:pointer}
#approve{background:#1f7a3a;color:#fff;border-color:#1f7a3a} #reject{background:#b3261e;color:#fff;border-color:#b3261e}
.muted{color:#5a6372;font-size:.9rem} #status{font-weight:600} [hidden]{display:none}
</style></head>
<body>
<h1>A destructive HyperCore call is waiting for approval</h1>
<p id="sso"{{signIn}}><a id="sign-in" href="#">Sign in with your organisation</a> <span class="muted">or paste an approver token:</span></p>
<form id="login" class="box"><label>Approver token (role admin or approver)<br>
<input id="token" type="password" autocomplete="off" size="50" required></label>
<button type="submit" id="load">Show the request</button></form>
<div id="request" class="box" hidden>
<p><span id="caller"></span> asked to run <b id="tool"></b>:</p>
<div id="preview" class="preview"></div>
<p class="muted">Requested <span id="created"></span>, expires <span id="expires"></span>.</p>
<p id="actions"><button id="approve" type="button">Approve</button><button id="reject" type="button">Reject</button></p>
</div>
<p id="status" role="status"></p>
<script nonce="{{nonce}}">
const id = location.pathname.split('/').filter(Boolean).pop();
const $ = (x) => document.getElementById(x);
const say = (text) => { $('status').textContent = text; };
function token () { return $('token').value || sessionStorage.getItem('approver-token') || ''; }
$('sign-in').href = '/approvals/sign-in?next=' + encodeURIComponent(id);
async function api (method, path) {
  // Signed in with the organisation: the page's own cookie speaks for the approver; else the pasted token.
  const headers = token() === '' ? {} : { authorization: 'Bearer ' + token() };
  const res = await fetch('/approvals/' + encodeURIComponent(id) + path, { method, headers, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || ('HTTP ' + res.status));
  return body;
}
function show (record) {
  $('request').hidden = false;
  $('caller').textContent = record.caller;
  $('tool').textContent = record.tool;
  $('preview').textContent = record.previews.map((p) => p.text + ' (' + p.reason + ')').join('\\n');
  $('created').textContent = record.createdAt;
  $('expires').textContent = record.expiresAt;
  const pending = record.status === 'pending';
  $('actions').hidden = !pending;
  say(pending ? 'Waiting for your decision.' : 'This request was ' + record.status + ' by ' + record.decidedBy + '.');
}
$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  sessionStorage.setItem('approver-token', $('token').value);
  try { show(await api('GET', '/request')); $('login').hidden = true; } catch (err) { say(err.message); }
});
if (!$('sso').hidden && token() === '') {
  api('GET', '/request').then((record) => { show(record); $('login').hidden = true; $('sso').hidden = true; }, () => {});
}
for (const verdict of ['approve', 'reject']) {
  $(verdict).addEventListener('click', async () => {
    try { show(await api('POST', '/' + verdict)); } catch (err) { say(err.message); }
  });
}
</script>
</body></html>
`
