// Self-check for provider.mjs: starts it, walks the authorization code + PKCE
// flow with plain fetch, exercises every tamper mode and RP-initiated logout.
// Run: node selfcheck.mjs   (exit code 0 = all checks passed)

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = {
  client_id: 'selfcheck-portal',
  client_secret: 'selfcheck-secret',
  redirect_uris: ['http://127.0.0.1:9/auth/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9/signed-out'],
};
const USER = { login: '048090012345', password: 'demo-vneid-2026', sub: 'vneid-demo-0001' };

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? ` -- ${detail}` : ''}`);
}

const tmp = mkdtempSync(path.join(tmpdir(), 'idp-selfcheck-'));
const children = [];

async function startProvider(extra) {
  const file = path.join(tmp, `config-${children.length}.json`);
  writeFileSync(file, JSON.stringify({ port: 0, clients: [CLIENT], identitiesFile: 'demo-identities.json', ...extra }));
  const child = spawn(process.execPath, [path.join(HERE, 'provider.mjs'), '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const issuer = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^READY (\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`provider exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`provider not ready: ${stderr}`)), 15000).unref();
  });
  return { issuer, child };
}

class Browser {
  constructor(issuer) { this.issuer = issuer; this.jar = new Map(); }

  async request(url, { method = 'GET', form, headers = {} } = {}) {
    const target = new URL(url, this.issuer);
    const h = { ...headers };
    if (target.origin === new URL(this.issuer).origin && this.jar.size) {
      h.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(target, { method, headers: h, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]) < new Date());
      if (!value || expired) this.jar.delete(name); else this.jar.set(name, value);
    }
    return res;
  }

  // Follows redirects on the provider; stops at a page or at an outside redirect.
  async follow(url, opts) {
    let res = await this.request(url, opts);
    let location = url;
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops += 1) {
      location = new URL(res.headers.get('location'), new URL(location, this.issuer)).href;
      if (!location.startsWith(this.issuer)) return { res, location, outside: true };
      res = await this.request(location);
    }
    return { res, location, outside: false, html: await res.text() };
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function authUrl(issuer, extra = {}) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const params = new URLSearchParams({
    client_id: CLIENT.client_id,
    response_type: 'code',
    scope: 'openid profile national_id email phone',
    redirect_uri: CLIENT.redirect_uris[0],
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${issuer}/auth?${params}`, verifier, state, nonce };
}

const formAction = (html, id) => {
  const re = id ? new RegExp(`<form[^>]*id="${id}"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="${id}"`) : /<form[^>]*action="([^"]+)"/;
  const m = re.exec(html);
  return m && (m[1] || m[2]);
};
const formActions = (html) => [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]);

// Signs in (if needed), consents (if needed) and returns the callback URL.
async function authorize(browser, issuer, { expectLoginPage = false } = {}) {
  const req = authUrl(issuer);
  let step = await browser.follow(req.url);
  if (!step.outside && /name="password"/.test(step.html)) {
    const action = formAction(step.html, 'login-form');
    if (expectLoginPage) {
      check('login page: lang="vi"', /<html lang="vi">/.test(step.html));
      check('login page: title', /<title>VNeID \(môi trường thử nghiệm\)<\/title>/.test(step.html));
      check('login page: English line', step.html.includes('VNeID (development provider)'));
      check('login page: labels', step.html.includes('<label for="login">Số định danh cá nhân</label>') && step.html.includes('<label for="password">Mật khẩu</label>'));
      check('login page: buttons', step.html.includes('>Đăng nhập</button>') && step.html.includes('>Hủy</button>'));
      check('login form action is /interaction/<uid>/login', /^\/interaction\/[\w-]+\/login$/.test(action), action);
      const wrong = await browser.request(action, { method: 'POST', form: { login: USER.login, password: 'nope' } });
      const wrongHtml = await wrong.text();
      check('wrong password: 200 + role=alert', wrong.status === 200 && /role="alert">Số định danh hoặc mật khẩu không đúng\.</.test(wrongHtml), `${wrong.status}`);
    }
    step = await browser.follow(action, { method: 'POST', form: { login: USER.login, password: USER.password } });
  }
  if (!step.outside && step.html.includes('Đồng ý')) {
    const [confirm, abort] = formActions(step.html);
    if (expectLoginPage) {
      check('consent page: client named', step.html.includes(CLIENT.client_id));
      check('consent page: claims listed', ['Họ và tên, ngày sinh, giới tính', 'Số định danh cá nhân', 'Thư điện tử', 'Số điện thoại'].every((s) => step.html.includes(s)));
      check('consent form actions', /^\/interaction\/[\w-]+\/confirm$/.test(confirm) && /^\/interaction\/[\w-]+\/abort$/.test(abort), `${confirm} ${abort}`);
    }
    step = await browser.follow(confirm, { method: 'POST', form: {} });
  }
  if (!step.outside) throw new Error(`flow did not reach the redirect_uri: ${step.location} ${step.res.status}`);
  return { ...req, callback: new URL(step.location) };
}

async function token(issuer, code, verifier) {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirect_uris[0], code_verifier: verifier }),
  });
}

async function control(issuer, pathname, body) {
  const res = await fetch(`${issuer}/__control/${pathname}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.status, json: await res.json() };
}

async function main() {
  const { issuer } = await startProvider({ control: true });
  check('issuer is http://127.0.0.1:<port>', /^http:\/\/127\.0\.0\.1:\d+$/.test(issuer), issuer);

  const disc = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  check('discovery issuer', disc.issuer === issuer, disc.issuer);
  check('discovery endpoints', disc.authorization_endpoint === `${issuer}/auth` && disc.token_endpoint === `${issuer}/token`
    && disc.userinfo_endpoint === `${issuer}/me` && disc.jwks_uri === `${issuer}/jwks` && disc.end_session_endpoint === `${issuer}/session/end`);
  check('discovery S256 only', JSON.stringify(disc.code_challenge_methods_supported) === '["S256"]');
  check('discovery scopes', ['openid', 'profile', 'national_id', 'email', 'phone'].every((s) => disc.scopes_supported.includes(s)), disc.scopes_supported);
  const jwks = await (await fetch(`${issuer}/jwks`)).json();
  check('jwks: one public RSA key', jwks.keys.length === 1 && jwks.keys[0].kty === 'RSA' && jwks.keys[0].kid && !jwks.keys[0].d);
  const keySet = jose.createLocalJWKSet(jwks);
  check('control health', (await control(issuer, 'health')).json.ok === true);

  const noPkce = authUrl(issuer, { code_challenge: '', code_challenge_method: '' });
  const noPkceUrl = new URL(noPkce.url);
  noPkceUrl.searchParams.delete('code_challenge');
  noPkceUrl.searchParams.delete('code_challenge_method');
  const noPkceRes = await fetch(noPkceUrl, { redirect: 'manual' });
  const noPkceLoc = new URL(noPkceRes.headers.get('location') ?? 'http://x/');
  check('PKCE required', noPkceLoc.searchParams.get('error') === 'invalid_request', noPkceLoc.href);

  // Cancel on the login page.
  {
    const browser = new Browser(issuer);
    const step = await browser.follow(authUrl(issuer).url);
    const abort = formActions(step.html).find((a) => a.endsWith('/abort'));
    const done = await browser.follow(abort, { method: 'POST', form: {} });
    check('Hủy -> access_denied', done.outside && new URL(done.location).searchParams.get('error') === 'access_denied', done.location);
  }

  const browser = new Browser(issuer);
  const first = await authorize(browser, issuer, { expectLoginPage: true });
  check('callback has code and state', first.callback.searchParams.get('code') && first.callback.searchParams.get('state') === first.state);
  const tokenRes = await token(issuer, first.callback.searchParams.get('code'), first.verifier);
  const tokens = await tokenRes.json();
  check('token response', tokenRes.status === 200 && tokens.id_token && tokens.access_token, JSON.stringify(tokens));
  const { payload } = await jose.jwtVerify(tokens.id_token, keySet, { issuer, audience: CLIENT.client_id });
  check('id_token verifies, nonce and sub', payload.nonce === first.nonce && payload.sub === USER.sub);
  const userinfo = await (await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
  check('userinfo claims', userinfo.sub === USER.sub && userinfo.name === 'Nguyễn Văn An' && userinfo.national_id === USER.login
    && userinfo.birthdate === '1990-05-12' && userinfo.gender === 'male' && userinfo.email === 'citizen@example.com'
    && userinfo.email_verified === true && userinfo.phone_number === '0905123456', JSON.stringify(userinfo));

  // Token tamper modes.
  const tokenChecks = {
    'wrong-nonce': async (t, req) => jose.decodeJwt(t.id_token).nonce !== req.nonce && (await jose.jwtVerify(t.id_token, keySet)),
    'wrong-aud': async (t) => jose.decodeJwt(t.id_token).aud === 'some-other-client' && (await jose.jwtVerify(t.id_token, keySet)),
    expired: async (t) => jose.decodeJwt(t.id_token).exp < Date.now() / 1000 - 3000
      && (await jose.compactVerify(t.id_token, keySet)),
    'wrong-iss': async (t) => jose.decodeJwt(t.id_token).iss === 'http://127.0.0.1:1/' && (await jose.jwtVerify(t.id_token, keySet)),
    'unknown-key': async (t) => !jwks.keys.some((k) => k.kid === jose.decodeProtectedHeader(t.id_token).kid)
      && jose.decodeProtectedHeader(t.id_token).alg === 'RS256',
    'bad-signature': async (t) => jose.jwtVerify(t.id_token, keySet).then(() => false, (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    'alg-none': async (t) => jose.decodeProtectedHeader(t.id_token).alg === 'none' && t.id_token.endsWith('.'),
    'no-id-token': async (t) => !('id_token' in t) && Boolean(t.access_token),
  };
  for (const [mode, verify] of Object.entries(tokenChecks)) {
    check(`arm token ${mode}`, (await control(issuer, 'tamper', { target: 'token', mode })).json.ok === true);
    const req = await authorize(browser, issuer);
    const res = await token(issuer, req.callback.searchParams.get('code'), req.verifier);
    const t = await res.json();
    let ok = false;
    try { ok = res.status === 200 && Boolean(await verify(t, req)); } catch (e) { ok = `${e}`; }
    check(`token ${mode}`, ok === true, `${ok} ${JSON.stringify(t).slice(0, 200)}`);
  }
  for (const mode of ['garbage', 'server-error']) {
    await control(issuer, 'tamper', { target: 'token', mode });
    const req = await authorize(browser, issuer);
    const res = await token(issuer, req.callback.searchParams.get('code'), req.verifier);
    const text = await res.text();
    if (mode === 'garbage') check('token garbage', res.status === 200 && text === '<html>not json</html>' && res.headers.get('content-type').startsWith('text/html'));
    else check('token server-error', res.status === 500 && JSON.parse(text).error === 'server_error');
  }
  // Once only: the next one is clean again.
  {
    const req = await authorize(browser, issuer);
    const t = await (await token(issuer, req.callback.searchParams.get('code'), req.verifier)).json();
    check('tamper applies once', Boolean(await jose.jwtVerify(t.id_token, keySet, { issuer, audience: CLIENT.client_id }).catch(() => false)));
  }

  // Discovery / JWKS / userinfo modes, several armed at once, then reset.
  await control(issuer, 'tamper', { target: 'discovery', mode: 'garbage' });
  await control(issuer, 'tamper', { target: 'jwks', mode: 'server-error' });
  await control(issuer, 'tamper', { target: 'userinfo', mode: 'sub-mismatch' });
  const d1 = await fetch(`${issuer}/.well-known/openid-configuration`);
  check('discovery garbage', d1.status === 200 && (await d1.text()) === '<html>not json</html>');
  const j1 = await fetch(`${issuer}/jwks`);
  check('jwks server-error', j1.status === 500 && (await j1.json()).error === 'server_error');
  const u1 = await (await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
  check('userinfo sub-mismatch', u1.sub && u1.sub !== USER.sub && u1.name === 'Nguyễn Văn An');
  await control(issuer, 'tamper', { target: 'userinfo', mode: 'garbage' });
  await control(issuer, 'tamper', { target: 'discovery', mode: 'server-error' });
  check('reset', (await control(issuer, 'reset', {})).json.ok === true);
  check('after reset discovery is clean', (await fetch(`${issuer}/.well-known/openid-configuration`)).status === 200);
  const u2 = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  check('after reset userinfo is clean', u2.status === 200 && (await u2.json()).sub === USER.sub);
  check('bad tamper request -> 400', (await control(issuer, 'tamper', { target: 'jwks', mode: 'wrong-aud' })).status === 400);

  // RP-initiated logout.
  {
    const last = await authorize(browser, issuer);
    const t = await (await token(issuer, last.callback.searchParams.get('code'), last.verifier)).json();
    const params = new URLSearchParams({ id_token_hint: t.id_token, post_logout_redirect_uri: CLIENT.post_logout_redirect_uris[0], state: 'bye' });
    const page = await browser.request(`${issuer}/session/end?${params}`);
    const html = await page.text();
    const action = formAction(html, 'op\\.logoutForm');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    check('logout confirmation page', page.status === 200 && action === `${issuer}/session/end/confirm` && xsrf && html.includes('name="logout" value="yes"'), `${page.status} ${action}`);
    const done = await browser.request(action, { method: 'POST', form: { xsrf, logout: 'yes' } });
    const loc = new URL(done.headers.get('location') ?? 'http://x/');
    check('logout redirects to post_logout_redirect_uri', done.status === 303 && `${loc.origin}${loc.pathname}` === CLIENT.post_logout_redirect_uris[0] && loc.searchParams.get('state') === 'bye', `${done.status} ${loc}`);
    const again = await browser.follow(authUrl(issuer).url);
    check('signed out: login page again', !again.outside && /name="password"/.test(again.html));
  }

  // Control disabled + clock skew.
  {
    const skewed = await startProvider({ control: false, clockSkewSeconds: -3600 });
    check('control disabled -> 404', (await fetch(`${skewed.issuer}/__control/health`)).status === 404);
    const sb = new Browser(skewed.issuer);
    const req = await authorize(sb, skewed.issuer);
    const t = await (await token(skewed.issuer, req.callback.searchParams.get('code'), req.verifier)).json();
    const iat = jose.decodeJwt(t.id_token).iat;
    check('clockSkewSeconds -3600 shifts iat', Math.abs(iat - (Date.now() / 1000 - 3600)) < 30, `${iat}`);
  }
}

try {
  await main();
} catch (err) {
  failed += 1;
  console.log(`FAIL unexpected error: ${err.stack}`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
