import type { paths } from "./generated/openapi.js";
import { ApiError } from "./errors.js";

// The request and response types below are computed from the generated `paths`, so a route,
// parameter or body the API changes is a compile error here after `npm run generate`.

export type HttpMethod = "get" | "put" | "post" | "patch" | "delete";

/** The paths that have an operation for `M`. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];

/** The generated operation of `M` on `P`. */
export type Operation<P extends keyof paths, M extends HttpMethod> = paths[P] extends {
  [K in M]: infer O;
}
  ? O
  : never;

type ParametersOf<O> = O extends { parameters: infer X } ? X : never;
type PathParams<O> = ParametersOf<O> extends { path: infer X } ? X : never;
type QueryParams<O> =
  ParametersOf<O> extends { query: infer X }
    ? X
    : ParametersOf<O> extends { query?: infer X }
      ? NonNullable<X>
      : never;
type JsonBody<O> = O extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : never;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : undefined;
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206;

/** What a successful reply of the operation carries (`undefined` for 204 No Content). */
export type ResponseData<O> = {
  [S in keyof ResponsesOf<O> & SuccessStatus]: JsonContent<ResponsesOf<O>[S]>;
}[keyof ResponsesOf<O> & SuccessStatus];

/** Whether the operation may answer 304 (it takes `If-None-Match`). */
type Revalidates<O> = 304 extends keyof ResponsesOf<O> ? true : false;

/** Extra `fetch` options passed through: `cache`, `credentials`, Next.js's `next`, ... */
export type FetchOptions = Omit<RequestInit, "method" | "headers" | "body" | "signal"> & {
  /** Next.js's data cache: `{ revalidate: 60 }`, `{ tags: ["show:..."] }`. */
  next?: { revalidate?: number | false; tags?: string[] };
};

interface CommonOptions {
  /** More request headers (the client sets Accept, Authorization and Content-Type). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetchOptions?: FetchOptions;
}

type PathOption<O> = [PathParams<O>] extends [never] ? { path?: never } : { path: PathParams<O> };
type QueryOption<O> = [QueryParams<O>] extends [never]
  ? { query?: never }
  : Record<string, never> extends QueryParams<O>
    ? { query?: QueryParams<O> }
    : { query: QueryParams<O> };
type BodyOption<O> = [JsonBody<O>] extends [never] ? { body?: never } : { body: JsonBody<O> };

/** The options of a call: `path` and `query` parameters and the JSON `body`, as the route needs. */
export type RequestOptions<O> = CommonOptions & PathOption<O> & QueryOption<O> & BodyOption<O>;

/** `request`'s options: those of the call and, where the route answers 304, `ifNoneMatch`. */
export type ConditionalRequestOptions<O> = RequestOptions<O> &
  (Revalidates<O> extends true
    ? { /** An `ETag` of an earlier reply: 304 while it is still current. */ ifNoneMatch?: string | null }
    : { ifNoneMatch?: never });

// The options argument may be left out when nothing in it is required.
type Args<T> = Record<string, never> extends T ? [options?: T] : [options: T];

/** A reply with its body. */
export interface Fresh<T> {
  notModified: false;
  status: number;
  data: T;
  /** The strong `ETag` of the public pages and lists (null elsewhere). */
  etag: string | null;
  headers: Headers;
}

/** A 304: what the caller holds under `ifNoneMatch` is current. */
export interface NotModified {
  notModified: true;
  status: 304;
  data: undefined;
  etag: string | null;
  headers: Headers;
}

export type ApiResponse<O> =
  | Fresh<ResponseData<O>>
  | (Revalidates<O> extends true ? NotModified : never);

/**
 * The caller's Supabase access token: a string, or a function asked before every request (so a
 * refreshed session is picked up). Null or undefined: the request is anonymous.
 */
export type TokenSource =
  | string
  | null
  | undefined
  | (() => string | null | undefined | Promise<string | null | undefined>);

export interface ClientOptions {
  /** The API's origin, e.g. `https://api.theset.example` (a path prefix is kept). */
  baseUrl: string;
  token?: TokenSource;
  /** A `fetch` to use instead of the global one (tests, instrumentation). */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

export interface TheSetClient {
  readonly baseUrl: string;
  /** The reply's body; an `ApiError` for an error status. */
  get<P extends PathsWith<"get">>(
    path: P,
    ...options: Args<RequestOptions<Operation<P, "get">>>
  ): Promise<ResponseData<Operation<P, "get">>>;
  put<P extends PathsWith<"put">>(
    path: P,
    ...options: Args<RequestOptions<Operation<P, "put">>>
  ): Promise<ResponseData<Operation<P, "put">>>;
  post<P extends PathsWith<"post">>(
    path: P,
    ...options: Args<RequestOptions<Operation<P, "post">>>
  ): Promise<ResponseData<Operation<P, "post">>>;
  patch<P extends PathsWith<"patch">>(
    path: P,
    ...options: Args<RequestOptions<Operation<P, "patch">>>
  ): Promise<ResponseData<Operation<P, "patch">>>;
  delete<P extends PathsWith<"delete">>(
    path: P,
    ...options: Args<RequestOptions<Operation<P, "delete">>>
  ): Promise<ResponseData<Operation<P, "delete">>>;
  /**
   * The whole reply: status, body, `ETag`, headers; on routes with entity tags, `ifNoneMatch`
   * makes a conditional request and a 304 comes back as `{ notModified: true }`.
   * Error statuses throw `ApiError`, as the other methods do.
   */
  request<M extends HttpMethod, P extends PathsWith<M>>(
    method: M,
    path: P,
    ...options: Args<ConditionalRequestOptions<Operation<P, M>>>
  ): Promise<ApiResponse<Operation<P, M>>>;
  /** The absolute URL of a route (for links, `EventSource`, prefetching). */
  url<P extends keyof paths>(
    path: P,
    params?: { path?: Record<string, string | number>; query?: QueryValues },
  ): string;
}

type QueryValue = string | number | boolean | null | undefined;
type QueryValues = Record<string, QueryValue | readonly QueryValue[]>;

interface LooseOptions extends CommonOptions {
  path?: Record<string, string | number>;
  query?: QueryValues;
  body?: unknown;
  ifNoneMatch?: string | null;
}

/** Creates a client of TheSet's API. */
export function createClient(options: ClientOptions): TheSetClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  if (!/^https?:\/\//i.test(baseUrl)) {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got "${options.baseUrl}"`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);

  const url = (path: string, params: Pick<LooseOptions, "path" | "query"> = {}): string =>
    baseUrl + expandPath(path, params.path) + queryString(params.query);

  async function send(method: HttpMethod, path: string, opts: LooseOptions = {}) {
    const target = url(path, opts);
    const headers: Record<string, string> = {
      Accept: "application/json, application/problem+json",
      ...options.headers,
      ...opts.headers,
    };
    const token = typeof options.token === "function" ? await options.token() : options.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.ifNoneMatch) headers["If-None-Match"] = opts.ifNoneMatch;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const response = await fetchImpl(target, {
      ...opts.fetchOptions,
      method: method.toUpperCase(),
      headers,
      body,
      signal: opts.signal,
      // `next` (Next.js's data cache) is not in the DOM's RequestInit; fetch passes it along.
    } as RequestInit);
    const upper = method.toUpperCase();
    if (response.status === 304) {
      return {
        notModified: true as const,
        status: 304 as const,
        data: undefined,
        etag: response.headers.get("etag"),
        headers: response.headers,
      };
    }
    if (!response.ok) throw await ApiError.fromResponse(response, upper, target);
    const text = response.status === 204 ? "" : await response.text();
    let data: unknown;
    try {
      data = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError({
        status: response.status,
        method: upper,
        url: target,
        problem: null,
        body: `a reply that is not JSON: ${text.slice(0, 120)}`,
        requestId: response.headers.get("x-request-id"),
      });
    }
    return {
      notModified: false as const,
      status: response.status,
      data,
      etag: response.headers.get("etag"),
      headers: response.headers,
    };
  }

  async function dataOf(method: HttpMethod, path: string, opts?: LooseOptions): Promise<unknown> {
    const reply = await send(method, path, opts);
    // Only reachable with an If-None-Match passed in `headers`: `request` is the conditional call.
    if (reply.notModified) throw new Error(`${path} answered 304; use request() with ifNoneMatch`);
    return reply.data;
  }

  // The typed signatures are the interface's; the implementation works on the loose shapes
  // they all reduce to, which the compiler cannot relate to each generic signature.
  const client = {
    baseUrl,
    get: (path: string, opts?: LooseOptions) => dataOf("get", path, opts),
    put: (path: string, opts?: LooseOptions) => dataOf("put", path, opts),
    post: (path: string, opts?: LooseOptions) => dataOf("post", path, opts),
    patch: (path: string, opts?: LooseOptions) => dataOf("patch", path, opts),
    delete: (path: string, opts?: LooseOptions) => dataOf("delete", path, opts),
    request: (method: HttpMethod, path: string, opts?: LooseOptions) => send(method, path, opts),
    url,
  };
  return client as unknown as TheSetClient;
}

function expandPath(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") {
      throw new TypeError(`path parameter "${name}" of ${template} is missing`);
    }
    return encodeURIComponent(String(value));
  });
}

function queryString(query: QueryValues | undefined): string {
  if (!query) return "";
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) search.append(name, String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
