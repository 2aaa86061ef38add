/**
 * Drives the login pages the way a browser would (cookies, redirects, forms) without a browser,
 * for protocol tests that need a logged-in person. The real-browser test covers the pages themselves.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (!pair || index < 0) continue;
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

export class Browserless {
  readonly jar = new CookieJar();
  readonly base: string;
  /** Sent with every request (a user agent, for instance). */
  readonly headers: Record<string, string>;
  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headers)) if (!headers.has(name)) headers.set(name, value);
    const cookie = this.jar.header();
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(new URL(url, this.base), { ...init, headers, redirect: 'manual' });
    this.jar.store(response);
    return response;
  }

  /** Follows redirects on our own origin; stops at the first URL elsewhere (the client's callback). */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
    let current = new URL(url, this.base).href;
    if (!current.startsWith(this.base)) return { response: new Response(null, { status: 204 }), url: current };
    let response = await this.request(current, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops += 1) {
      current = new URL(response.headers.get('location') as string, current).href;
      if (!current.startsWith(this.base)) return { response, url: current };
      response = await this.request(current);
    }
    return { response, url: current };
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Runs an authorization request to the end: login (if asked) and consent (if asked).
   * Returns the URL the browser would land on at the client.
   */
  async authorize(authorizationUrl: string, username: string, password: string): Promise<URL> {
    const { url } = await this.walk(authorizationUrl, username, password);
    return new URL(url);
  }

  /** Like authorize, for flows that end on one of our own pages (device flow): returns its HTML. */
  async authorizeUntilPage(startUrl: string, username: string, password: string): Promise<string> {
    const { html } = await this.walk(startUrl, username, password);
    return html ?? '';
  }

  private async walk(startUrl: string, username: string, password: string): Promise<{ url: string; html?: string }> {
    let { response, url } = await this.follow(startUrl);
    for (let step = 0; step < 5; step += 1) {
      if (!url.startsWith(this.base)) return { url };
      const html = await response.text();
      if (!new URL(url).pathname.startsWith('/interaction/')) return { url, html };
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
      const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1];
      if (!csrf || !uid) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 300)}`);
      let posted: Response;
      if (html.includes('name="password"')) {
        posted = await this.postForm(`/interaction/${uid}/login`, { csrf, username, password });
      } else if (html.includes(`/interaction/${uid}/confirm`)) {
        posted = await this.postForm(`/interaction/${uid}/confirm`, { csrf });
      } else {
        throw new Error(`no known form at ${url}`);
      }
      if (posted.status !== 303) throw new Error(`form answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
      ({ response, url } = await this.follow(posted.headers.get('location') as string));
    }
    throw new Error('authorization did not finish');
  }
}
