#!/usr/bin/env node
// Development/test OpenID Connect provider standing in for VNeID.
//
// NEVER use this in production: identities and passwords are plain JSON,
// keys are generated at every start and there is a tampering control API.
//
// Usage: node provider.mjs --config path/to/config.json
// See README.md in this folder for the config format and the control API.

import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Everything except the single READY line goes to stderr. oidc-provider
// prints its notices with console.info, which would otherwise go to stdout.
for (const method of ['log', 'info', 'debug']) {
  console[method] = (...args) => console.error(...args);
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

function fail(message) {
  console.error(`identity-provider: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

function parseArgs(argv) {
  let configPath;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--config') {
      configPath = argv[i + 1];
      i += 1;
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
    } else if (arg === '--help' || arg === '-h') {
      console.error('usage: node provider.mjs --config config.json');
      process.exit(0);
    } else {
      fail(`unknown argument: ${arg}`);
    }
  }
  if (!configPath) fail('usage: node provider.mjs --config config.json');
  return { configPath: path.resolve(configPath) };
}

function readJson(file, what) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail(`cannot read ${what} ${file}: ${err.message}`);
  }
}

function loadConfig(configPath) {
  const raw = readJson(configPath, 'config');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('config must be a JSON object');

  const host = raw.host ?? '127.0.0.1';
  const port = raw.port ?? 0;
  if (typeof host !== 'string' || !host) fail('"host" must be a non-empty string');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('"port" must be an integer 0-65535');

  const clients = raw.clients ?? [];
  if (!Array.isArray(clients)) fail('"clients" must be an array');
  for (const client of clients) {
    if (!client || typeof client.client_id !== 'string' || !client.client_id) fail('every client needs a "client_id"');
    if (typeof client.client_secret !== 'string' || !client.client_secret) fail(`client ${client.client_id} needs a "client_secret"`);
    if (!Array.isArray(client.redirect_uris) || client.redirect_uris.length === 0) fail(`client ${client.client_id} needs "redirect_uris"`);
  }

  const identities = [];
  if (raw.identitiesFile) {
    const file = path.isAbsolute(raw.identitiesFile) ? raw.identitiesFile : path.join(HERE, raw.identitiesFile);
    const fromFile = readJson(file, 'identities file');
    if (!Array.isArray(fromFile)) fail(`${file} must hold a JSON array of identities`);
    identities.push(...fromFile);
  }
  if (raw.identities !== undefined) {
    if (!Array.isArray(raw.identities)) fail('"identities" must be an array');
    identities.push(...raw.identities);
  }
  // Later entries (inline ones) win over earlier ones with the same login or sub.
  const byLogin = new Map();
  for (const identity of identities) {
    if (!identity || typeof identity.login !== 'string' || typeof identity.password !== 'string' || typeof identity.sub !== 'string' || !identity.sub) {
      fail('every identity needs string "login", "password" and "sub"');
    }
    for (const [login, existing] of byLogin) {
      if (existing.sub === identity.sub) byLogin.delete(login);
    }
    byLogin.set(identity.login, { ...identity, claims: { ...(identity.claims ?? {}) } });
  }

  const clockSkewSeconds = raw.clockSkewSeconds ?? 0;
  if (typeof clockSkewSeconds !== 'number' || !Number.isFinite(clockSkewSeconds)) fail('"clockSkewSeconds" must be a number');

  return {
    host,
    port,
    clients,
    identities: [...byLogin.values()],
    control: raw.control === true,
    clockSkewSeconds,
  };
}

const { configPath } = parseArgs(process.argv.slice(2));
const config = loadConfig(configPath);

// ---------------------------------------------------------------------------
// Clock skew: shift Date.now() and `new Date()` before anything reads the time.
// ---------------------------------------------------------------------------

if (config.clockSkewSeconds !== 0) {
  const RealDate = globalThis.Date;
  const offsetMs = config.clockSkewSeconds * 1000;
  const realNow = RealDate.now.bind(RealDate);
  const skewedNow = () => realNow() + offsetMs;
  // A plain function (not a class) so that `Date()` without `new` keeps working.
  function SkewedDate(...args) {
    if (new.target === undefined) return new RealDate(skewedNow()).toString();
    return Reflect.construct(RealDate, args.length ? args : [skewedNow()], new.target);
  }
  SkewedDate.prototype = RealDate.prototype;
  SkewedDate.now = skewedNow;
  SkewedDate.parse = RealDate.parse;
  SkewedDate.UTC = RealDate.UTC;
  Object.defineProperty(SkewedDate, Symbol.hasInstance, { value: (value) => value instanceof RealDate });
  globalThis.Date = SkewedDate;
  console.error(`identity-provider: clock shifted by ${config.clockSkewSeconds} s`);
}

// Imported only now, so that nothing in them captured the real clock.
const { default: Provider, errors: oidcErrors } = await import('oidc-provider');
const jose = await import('jose');

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

async function makeSigningKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  jwk.kid = randomBytes(12).toString('base64url');
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return { privateKey, jwk };
}

const publishedKey = await makeSigningKey();
// Never published: used by the "unknown-key" tamper mode only.
const unpublishedKey = await makeSigningKey();

// ---------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------

const identitiesBySub = new Map(config.identities.map((identity) => [identity.sub, identity]));
const identitiesByLogin = new Map(config.identities.map((identity) => [identity.login, identity]));

function accountClaims(identity) {
  const claims = { ...identity.claims, sub: identity.sub };
  if (claims.email && claims.email_verified === undefined) claims.email_verified = true;
  if (claims.phone_number && claims.phone_number_verified === undefined) claims.phone_number_verified = true;
  return claims;
}

async function findAccount(ctx, id) {
  const identity = identitiesBySub.get(id);
  if (!identity) return undefined;
  return {
    accountId: identity.sub,
    async claims() {
      return accountClaims(identity);
    },
  };
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

function esc(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const TITLE = 'VNeID (môi trường thử nghiệm)';

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f3f4f6;color:#111827;margin:0;padding:2rem 1rem}
main{max-width:26rem;margin:0 auto;background:#fff;border:1px solid #d1d5db;border-radius:8px;padding:1.5rem}
h1{font-size:1.35rem;margin:0;color:#b91c1c}
.en{margin:.25rem 0 1rem;color:#4b5563;font-size:.9rem}
h2{font-size:1.1rem;margin:1rem 0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;border:1px solid #9ca3af;border-radius:4px}
button{font-size:1rem;padding:.55rem 1.1rem;border-radius:4px;border:1px solid #b91c1c;background:#b91c1c;color:#fff;cursor:pointer;margin-top:1rem}
button.secondary{background:#fff;color:#b91c1c}
button:focus-visible,input:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;align-items:flex-end}
.actions form,#cancel-form{margin:0}
#cancel-form button{margin-top:.75rem}
[role=alert]{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b;padding:.6rem;border-radius:4px}
.note{font-size:.85rem;color:#6b7280;margin-top:1.5rem}
code{font-size:.95em}
`;

function page(bodyHtml) {
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(TITLE)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(TITLE)}</h1>
<p class="en" lang="en">VNeID (development provider)</p>
${bodyHtml}
<p class="note">Môi trường thử nghiệm, chỉ dùng dữ liệu giả. <span lang="en">Test environment with fake data only.</span></p>
</main>
</body>
</html>`;
}

function sendHtml(res, status, html) {
  const body = Buffer.from(html, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(body);
}

function sendJson(res, status, value) {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function loginPage(uid, { error, login } = {}) {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  return page(`
<h2>Đăng nhập bằng tài khoản định danh điện tử</h2>
${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="${esc(base)}/login" id="login-form">
<label for="login">Số định danh cá nhân</label>
<input id="login" name="login" type="text" inputmode="numeric" autocomplete="username" required value="${esc(login)}"${error ? ' aria-invalid="true"' : ''}>
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${error ? ' aria-invalid="true"' : ''}>
<button type="submit">Đăng nhập</button>
</form>
<form method="post" action="${esc(base)}/abort" id="cancel-form"><button type="submit" class="secondary">Hủy</button></form>`);
}

const SCOPE_LABELS = {
  openid: 'Mã nhận dạng tài khoản',
  profile: 'Họ và tên, ngày sinh, giới tính',
  national_id: 'Số định danh cá nhân',
  email: 'Thư điện tử',
  phone: 'Số điện thoại',
};

const CLAIM_LABELS = {
  sub: 'Mã nhận dạng tài khoản',
  name: 'Họ và tên',
  birthdate: 'Ngày sinh',
  gender: 'Giới tính',
  national_id: 'Số định danh cá nhân',
  email: 'Thư điện tử',
  email_verified: 'Thư điện tử',
  phone_number: 'Số điện thoại',
  phone_number_verified: 'Số điện thoại',
};

function consentPage(uid, { client, details, params, identity }) {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const scopes = details.missingOIDCScope ?? [];
  const items = [];
  for (const scope of scopes) items.push(SCOPE_LABELS[scope] ?? scope);
  for (const claim of details.missingOIDCClaims ?? []) items.push(CLAIM_LABELS[claim] ?? claim);
  const unique = [...new Set(items)];
  const clientName = client?.clientName;
  return page(`
<h2>Yêu cầu chia sẻ thông tin</h2>
${identity ? `<p>Bạn đang đăng nhập với số định danh <strong>${esc(identity.login)}</strong>.</p>` : ''}
<p>Ứng dụng ${clientName ? `<strong>${esc(clientName)}</strong> ` : ''}(<code>${esc(params.client_id)}</code>) yêu cầu truy cập các thông tin sau của bạn:</p>
<ul id="requested-claims">
${unique.map((item) => `<li>${esc(item)}</li>`).join('\n')}
</ul>
<div class="actions">
<form method="post" action="${esc(base)}/confirm" id="consent-form"><button type="submit">Đồng ý</button></form>
<form method="post" action="${esc(base)}/abort" id="deny-form"><button type="submit" class="secondary">Từ chối</button></form>
</div>`);
}

function messagePage(heading, text, extra = '') {
  return page(`<h2>${esc(heading)}</h2><p>${esc(text)}</p>${extra}`);
}

// ---------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------

const BODY_LIMIT = 64 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readForm(req) {
  const type = String(req.headers['content-type'] ?? '');
  const text = await readBody(req);
  if (text && !type.startsWith('application/x-www-form-urlencoded')) {
    throw Object.assign(new Error('expected application/x-www-form-urlencoded'), { status: 415 });
  }
  return new URLSearchParams(text);
}

// ---------------------------------------------------------------------------
// Provider
// ---------------------------------------------------------------------------

const server = http.createServer();

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port, config.host, () => {
    server.off('error', reject);
    resolve();
  });
}).catch((err) => fail(`cannot listen on ${config.host}:${config.port}: ${err.message}`));

const { port } = server.address();
const issuerHost = config.host.includes(':') ? `[${config.host}]` : config.host;
const issuer = `http://${issuerHost}:${port}`;

const cookieSlack = Math.max(0, Math.ceil(-config.clockSkewSeconds));

const configuration = {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...client,
  })),
  scopes: ['openid', 'profile', 'national_id', 'email', 'phone'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'birthdate', 'gender'],
    national_id: ['national_id'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  responseTypes: ['code'],
  findAccount,
  pkce: { required: () => true },
  jwks: { keys: [publishedKey.jwk] },
  cookies: { keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')] },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // Same form as the built-in page (form id "op.logoutForm", button
      // name="logout" value="yes"), without the built-in page's web font import.
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page(`
<h2>Đăng xuất</h2>
<p>Bạn có muốn đăng xuất khỏi VNeID (môi trường thử nghiệm) không?</p>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" name="logout" value="yes">Đăng xuất</button>
<button type="submit" form="op.logoutForm" class="secondary">Ở lại đăng nhập</button>
</div>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('<h2>Đã đăng xuất</h2><p>Bạn đã đăng xuất thành công.</p>');
      },
    },
  },
  // Cookie lifetimes follow these TTLs, computed from the (possibly shifted)
  // clock; a clock in the past would make a browser drop the cookies at once,
  // so the cookie-backed artifacts live that much longer.
  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60 + cookieSlack,
    Session: 8 * 60 * 60 + cookieSlack,
    Grant: 8 * 60 * 60 + cookieSlack,
  },
  clientBasedCORS: () => false,
  async renderError(ctx, out) {
    ctx.type = 'html';
    const rows = Object.entries(out).map(([key, value]) => `<li><code>${esc(key)}</code>: ${esc(value)}</li>`).join('');
    ctx.body = page(`<h2>Đã xảy ra lỗi</h2><ul id="error-details">${rows}</ul>`);
  },
};

const provider = new Provider(issuer, configuration);

provider.on('server_error', (ctx, err) => console.error('identity-provider: server_error', err));

// ---------------------------------------------------------------------------
// Tampering (control API)
// ---------------------------------------------------------------------------

const TARGET_PATHS = {
  token: '/token',
  discovery: '/.well-known/openid-configuration',
  jwks: '/jwks',
  userinfo: '/me',
};

const TOKEN_MODES = new Set([
  'wrong-nonce', 'wrong-aud', 'expired', 'wrong-iss', 'unknown-key', 'bad-signature',
  'alg-none', 'no-id-token', 'garbage', 'server-error',
]);

const MODES = {
  token: TOKEN_MODES,
  discovery: new Set(['garbage', 'server-error']),
  jwks: new Set(['garbage', 'server-error']),
  userinfo: new Set(['garbage', 'server-error', 'sub-mismatch']),
};

const armed = new Map(); // target -> mode

async function resignIdToken(idToken, change, key = publishedKey, kid = key.jwk.kid) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  change(payload);
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header, alg: 'RS256', kid })
    .sign(key.privateKey);
}

async function tamperIdToken(mode, idToken) {
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'wrong-nonce':
      return resignIdToken(idToken, (p) => { p.nonce = randomBytes(16).toString('base64url'); });
    case 'wrong-aud':
      return resignIdToken(idToken, (p) => { p.aud = 'some-other-client'; });
    case 'expired':
      return resignIdToken(idToken, (p) => { p.iat = now - 7200; p.exp = now - 3600; });
    case 'wrong-iss':
      return resignIdToken(idToken, (p) => { p.iss = 'http://127.0.0.1:1/'; });
    case 'unknown-key': {
      let kid;
      do kid = randomBytes(12).toString('base64url'); while (kid === publishedKey.jwk.kid);
      return resignIdToken(idToken, () => {}, unpublishedKey, kid);
    }
    case 'bad-signature': {
      const [h, p, s] = idToken.split('.');
      // Change a character in the middle: the last one may only carry padding bits.
      const i = Math.floor(s.length / 2);
      const swapped = s[i] === 'A' ? 'B' : 'A';
      return `${h}.${p}.${s.slice(0, i)}${swapped}${s.slice(i + 1)}`;
    }
    case 'alg-none': {
      const [, p] = idToken.split('.');
      return `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    }
    default:
      throw new Error(`unexpected token mode ${mode}`);
  }
}

function targetFor(ctx) {
  for (const [target, routePath] of Object.entries(TARGET_PATHS)) {
    if (ctx.path === routePath) return target;
  }
  return undefined;
}

if (config.control) {
  provider.use(async (ctx, next) => {
    await next();
    const target = targetFor(ctx);
    if (!target || !armed.has(target) || ctx.status !== 200) return;
    if (target === 'token' && !(ctx.body && typeof ctx.body === 'object' && ctx.body.id_token)) return;
    const mode = armed.get(target);
    armed.delete(target);
    console.error(`identity-provider: tampering ${target} response: ${mode}`);

    if (mode === 'garbage') {
      ctx.status = 200;
      ctx.type = 'text/html';
      ctx.body = '<html>not json</html>';
      return;
    }
    if (mode === 'server-error') {
      ctx.status = 500;
      ctx.body = { error: 'server_error' };
      return;
    }
    if (target === 'userinfo' && mode === 'sub-mismatch') {
      ctx.body = { ...ctx.body, sub: `someone-else-${randomBytes(6).toString('hex')}` };
      return;
    }
    if (target === 'token') {
      const body = { ...ctx.body };
      if (mode === 'no-id-token') {
        delete body.id_token;
      } else {
        body.id_token = await tamperIdToken(mode, body.id_token);
      }
      ctx.body = body;
    }
  });
}

async function handleControl(req, res, pathname) {
  if (!config.control) {
    sendJson(res, 404, { error: 'not_found' });
    return;
  }
  if (pathname === '/__control/health' && req.method === 'GET') {
    sendJson(res, 200, { ok: true });
    return;
  }
  if (pathname === '/__control/reset' && req.method === 'POST') {
    await readBody(req);
    armed.clear();
    sendJson(res, 200, { ok: true });
    return;
  }
  if (pathname === '/__control/tamper' && req.method === 'POST') {
    let body;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      sendJson(res, 400, { ok: false, error: 'body must be JSON' });
      return;
    }
    const { target, mode } = body ?? {};
    if (!MODES[target]) {
      sendJson(res, 400, { ok: false, error: `unknown target; use one of ${Object.keys(MODES).join(', ')}` });
      return;
    }
    if (!MODES[target].has(mode)) {
      sendJson(res, 400, { ok: false, error: `unknown mode for ${target}; use one of ${[...MODES[target]].join(', ')}` });
      return;
    }
    armed.set(target, mode);
    sendJson(res, 200, { ok: true });
    return;
  }
  sendJson(res, 404, { error: 'not_found' });
}

// ---------------------------------------------------------------------------
// Interactions (login and consent pages)
// ---------------------------------------------------------------------------

const LOGIN_ERROR = 'Số định danh hoặc mật khẩu không đúng.';

async function handleInteraction(req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    if (err instanceof oidcErrors.OIDCProviderError) {
      sendHtml(res, 400, messagePage('Phiên đăng nhập không hợp lệ', 'Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng quay lại ứng dụng và thử lại.'));
      return;
    }
    throw err;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, messagePage('Phiên đăng nhập không hợp lệ', 'Phiên đăng nhập không khớp. Vui lòng quay lại ứng dụng và thử lại.'));
    return;
  }
  const { prompt, params, session } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') {
      sendHtml(res, 200, loginPage(uid));
      return;
    }
    if (prompt.name === 'consent') {
      const client = await provider.Client.find(params.client_id);
      const identity = session?.accountId ? identitiesBySub.get(session.accountId) : undefined;
      sendHtml(res, 200, consentPage(uid, { client, details: prompt.details, params, identity }));
      return;
    }
    sendHtml(res, 501, messagePage('Không hỗ trợ', `Bước tương tác "${prompt.name}" không được hỗ trợ.`));
    return;
  }

  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    sendHtml(res, 405, messagePage('Không hỗ trợ', 'Phương thức không được hỗ trợ.'));
    return;
  }

  const form = await readForm(req);

  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (action === 'login') {
    if (prompt.name !== 'login') {
      sendHtml(res, 400, messagePage('Yêu cầu không hợp lệ', 'Bước đăng nhập đã hoàn tất.'));
      return;
    }
    const login = (form.get('login') ?? '').trim();
    const password = form.get('password') ?? '';
    const identity = identitiesByLogin.get(login);
    if (!identity || identity.password !== password) {
      sendHtml(res, 200, loginPage(uid, { error: LOGIN_ERROR, login }));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: identity.sub },
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (action === 'confirm') {
    if (prompt.name !== 'consent') {
      sendHtml(res, 400, messagePage('Yêu cầu không hợp lệ', 'Không có yêu cầu chia sẻ thông tin nào đang chờ.'));
      return;
    }
    const { grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scope] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scope.join(' '));
      }
    }
    await provider.interactionFinished(req, res, {
      consent: { grantId: await grant.save() },
    }, { mergeWithLastSubmission: true });
    return;
  }

  sendHtml(res, 404, messagePage('Không tìm thấy', 'Trang không tồn tại.'));
}

// ---------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------

const providerCallback = provider.callback();
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?\/?$/;

server.on('request', (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  let handled;
  if (pathname === '/__control' || pathname.startsWith('/__control/')) {
    handled = handleControl(req, res, pathname);
  } else {
    const match = INTERACTION_PATH.exec(pathname);
    if (match) {
      handled = handleInteraction(req, res, match[1], match[2]);
    } else {
      providerCallback(req, res);
      return;
    }
  }
  handled.catch((err) => {
    console.error('identity-provider: request failed', err);
    if (res.headersSent) {
      res.destroy();
    } else if (err.status === 413 || err.status === 415) {
      sendHtml(res, err.status, messagePage('Yêu cầu không hợp lệ', err.message));
    } else {
      sendHtml(res, 500, messagePage('Đã xảy ra lỗi', 'Lỗi máy chủ.'));
    }
  });
});

// ---------------------------------------------------------------------------
// Start and stop
// ---------------------------------------------------------------------------

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`identity-provider: ${signal} received, stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

console.error(`identity-provider: ${config.identities.length} identities, ${config.clients.length} clients, control API ${config.control ? 'ENABLED' : 'disabled'}`);
console.error('identity-provider: development/test only, never use in production');
process.stdout.write(`READY ${issuer}\n`);
