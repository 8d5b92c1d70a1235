/** What a request asks for, decided from its method and target alone. */
export type Route =
  | { readonly kind: 'list' }
  | { readonly kind: 'uuid'; readonly uuid: string }
  | { readonly kind: 'cookie'; readonly cookieHex: string }
  /** 400 (malformed: answered, then the connection is closed), 404, 405. */
  | { readonly kind: 'error'; readonly status: 400 | 404 | 405; readonly message: string };

/** Longest request target accepted (a UUID prefix is a file's content, but short in practice). */
export const MAX_TARGET_LENGTH = 2048;

const COLLECTION = '/connections';
const COOKIE = /^0x([0-9a-fA-F]{1,16})$/;

/**
 * Routes a request (pure): `GET /connections`, `GET /connections/{uuid}`
 * (percent-encoded), `GET /connections?cookie=0x…` (1–16 hex digits, any case).
 */
export function route(method: string | undefined, target: string | undefined): Route {
  if (target === undefined || !target.startsWith('/') || target.length > MAX_TARGET_LENGTH) {
    return { kind: 'error', status: 400, message: 'malformed request target' };
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? undefined : target.slice(q + 1);
  let found: Route;
  if (path === COLLECTION || path === `${COLLECTION}/`) {
    found = query === undefined || query === '' ? { kind: 'list' } : routeQuery(query);
  } else if (path.startsWith(`${COLLECTION}/`)) {
    if (query !== undefined) return { kind: 'error', status: 400, message: 'no query parameters on a connection' };
    const encoded = path.slice(COLLECTION.length + 1);
    let uuid: string;
    try {
      uuid = decodeURIComponent(encoded);
    } catch {
      return { kind: 'error', status: 400, message: 'malformed percent-encoding in the UUID' };
    }
    if (encoded.includes('/')) return { kind: 'error', status: 404, message: 'no such resource' };
    found = { kind: 'uuid', uuid };
  } else {
    return { kind: 'error', status: 404, message: 'no such resource; try GET /connections' };
  }
  if (method !== 'GET' && found.kind !== 'error') return { kind: 'error', status: 405, message: 'only GET is served' };
  return found;
}

function routeQuery(query: string): Route {
  const params = query.split('&');
  const m = params.length === 1 && params[0]!.startsWith('cookie=') ? COOKIE.exec(params[0]!.slice('cookie='.length)) : null;
  if (m === null) return { kind: 'error', status: 400, message: 'the only query is ?cookie=0x<1-16 hex digits>' };
  return { kind: 'cookie', cookieHex: m[1]!.toUpperCase().padStart(16, '0') };
}
