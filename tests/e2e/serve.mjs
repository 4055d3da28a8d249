// The built site served under its sub-path (as GitHub Pages serves it) and a headless Chromium:
// shared by the e2e tests (run.mjs), the frame-rate benchmark (fps.mjs) and the screenshots
// (shoot.mjs).
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

/// Serves `distDir` under `base` on a free local port; returns the site's root URL and the server.
export async function serve(distDir, base) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(base)) { res.writeHead(404); res.end('outside the sub-path'); return; }
    const rel = decodeURIComponent(url.pathname.slice(base.length)) || 'index.html';
    const file = path.join(distDir, path.normalize(rel));
    if (!file.startsWith(path.resolve(distDir)) && !file.startsWith(distDir)) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return { root: `http://127.0.0.1:${server.address().port}${base}`, server };
}

/// Headless Chromium (CHROMIUM overrides its path), quiet: no network of its own.
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
