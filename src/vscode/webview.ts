import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/**
 * The HTML shell of every webview: a strict CSP that allows only this page's own
 * nonce-tagged script and the extension's own styles and fonts.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { title: string; script: string; styles: string[] }): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  const styles = opts.styles.map((s) => `<link rel="stylesheet" href="${asset(...s.split('/'))}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('dist', 'codicons', 'codicon.css')}">
    ${styles}
    <title>${escapeHtml(opts.title)}</title>
  </head>
  <body>
    <main id="root"></main>
    <script type="module" nonce="${nonce}" src="${asset(...opts.script.split('/'))}"></script>
  </body>
</html>`;
}

/** Webviews may load only what the extension ships in dist/ and media/. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
