import { AdminUser } from './admin-users.service';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
nav a{margin-right:1rem}form.inline{display:inline}button{margin:.1rem}.error{color:#b00020}.muted{color:#777}`;

function page(basePath: string, title: string, body: string, loggedIn: boolean): string {
  const nav = loggedIn
    ? `<nav><a href="${basePath}/admin/users/overview">Users</a><a href="${basePath}/admin/organizations/overview">Organizations</a><a href="${basePath}/admin/diagnostics">Diagnostics</a><a href="${basePath}/admin/logout">Log out</a></nav>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Vaultwave admin</title><style>${STYLE}</style></head>
<body>${nav}<h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function loginPage(basePath: string, error: string | null): string {
  return page(basePath, 'Admin login', `${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${basePath}/admin"><label>Admin token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
<button type="submit">Log in</button></form>`, false);
}

const DEVICE_TYPES: Record<number, string> = { 0: 'Android', 1: 'iOS', 2: 'Chrome extension', 3: 'Firefox extension', 8: 'Linux desktop', 9: 'Chrome', 10: 'Firefox', 14: 'Unknown browser', 21: 'SDK', 23: 'CLI (Linux)', 24: 'CLI (macOS)', 25: 'CLI (Windows)' };

export function usersPage(basePath: string, users: AdminUser[], invitations: Array<{ email: string; invitedAt: Date }>, message: string | null): string {
  const action = (user: AdminUser, name: string, label: string): string =>
    `<form class="inline" method="post" action="${basePath}/admin/users/${escapeHtml(user.id)}/${name}"><button type="submit" data-action="${name}" data-email="${escapeHtml(user.email)}">${label}</button></form>`;
  const rows = users.map((u) => `<tr data-user="${escapeHtml(u.email)}">
<td>${escapeHtml(u.email)}<br><span class="muted">${escapeHtml(u.name)}</span></td>
<td>${escapeHtml(u.createdAt)}</td><td>${escapeHtml(u.lastActive ?? 'Never')}</td>
<td>${u.twoFactorEnabled ? 'on' : 'off'}</td><td>${u.userEnabled ? 'enabled' : 'disabled'}</td>
<td>${u.devices.map((d) => `${escapeHtml(d.name)} (${escapeHtml(DEVICE_TYPES[d.type] ?? `type ${d.type}`)}): <span data-sockets="${escapeHtml(d.identifier)}">${d.liveSockets}</span> live`).join('<br>') || '<span class="muted">none</span>'}</td>
<td>${action(u, 'deauth', 'Deauthorize sessions')}${u.userEnabled ? action(u, 'disable', 'Disable') : action(u, 'enable', 'Enable')}${u.twoFactorEnabled ? action(u, 'remove-2fa', 'Remove 2FA') : ''}${action(u, 'delete', 'Delete')}</td></tr>`).join('\n');
  return page(basePath, 'Users', `${message ? `<p role="status">${escapeHtml(message)}</p>` : ''}
<table><thead><tr><th>User</th><th>Created</th><th>Last active</th><th>2FA</th><th>Status</th><th>Devices and live hub sockets</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Invite</h2><form method="post" action="${basePath}/admin/invite"><label>Email <input type="email" name="email" required></label> <button type="submit">Invite</button></form>
${invitations.length > 0 ? `<h2>Pending invitations</h2><ul>${invitations.map((i) => `<li>${escapeHtml(i.email)} <span class="muted">${escapeHtml(i.invitedAt.toISOString())}</span>
<form class="inline" method="post" action="${basePath}/admin/invite/resend"><input type="hidden" name="email" value="${escapeHtml(i.email)}"><button type="submit">Resend</button></form></li>`).join('')}</ul>` : ''}`, true);
}

export function organizationsPage(basePath: string, organizations: Array<{ id: string; name: string; billingEmail: string; enabled: boolean; members: number; items: number }>): string {
  const rows = organizations.map((o) => `<tr><td>${escapeHtml(o.name)}<br><span class="muted">${escapeHtml(o.id)}</span></td><td>${escapeHtml(o.billingEmail)}</td>
<td>${o.members}</td><td>${o.items}</td><td>${o.enabled ? 'enabled' : 'disabled'}</td>
<td><form class="inline" method="post" action="${basePath}/admin/organizations/${escapeHtml(o.id)}/delete"><button type="submit">Delete</button></form></td></tr>`).join('\n');
  return page(basePath, 'Organizations', `<table><thead><tr><th>Organization</th><th>Billing email</th><th>Members</th><th>Items</th><th>Status</th><th></th></tr></thead><tbody>${rows}</tbody></table>`, true);
}

export function diagnosticsPage(basePath: string, facts: Record<string, string | number | boolean | null>, doctor: string | null): string {
  const rows = Object.entries(facts).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v === null ? '–' : String(v))}</td></tr>`).join('\n');
  const testMail = `<h2>Mail</h2><form method="post" action="${basePath}/admin/test/smtp"><label>Send a test mail to <input type="email" name="email" required></label> <button type="submit">Send</button></form>`;
  // Time drift between this browser and the server (the page is rendered with the server's clock).
  const drift = `<p id="time-drift" data-server-ms="${Date.now()}">Clock drift between this browser and the server: <span>checking…</span></p>
<script>(function(){var p=document.getElementById('time-drift');var d=(Date.now()-Number(p.dataset.serverMs))/1000;
p.querySelector('span').textContent=(Math.abs(d)<2?'none (':'')+d.toFixed(1)+' s'+(Math.abs(d)<2?')':' — check NTP on the server');})();</script>`;
  const doctorPart = `<h2>WebSocket doctor</h2><p>Checks this server through its public address (DOMAIN), reverse proxy included, as <code>npm run doctor</code> does.</p>
${doctor ? `<pre>${escapeHtml(doctor)}</pre>` : `<p><a href="${basePath}/admin/diagnostics?doctor=1">Run the doctor</a></p>`}`;
  return page(basePath, 'Diagnostics', `<table><tbody>${rows}</tbody></table>${drift}${testMail}${doctorPart}`, true);
}
