/** The part of autocannon 9's API the harness uses (the package ships no types). */
declare module 'autocannon' {
  export interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Builds this request from the connection's context; a falsy result restarts the sequence. */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request | undefined;
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void;
  }

  export interface Histogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }

  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    '2xx': number;
    latency: Histogram;
    requests: Histogram;
  }

  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
    /** Milliseconds between samples; the run ends at the first sample after `duration`. */
    sampleInt?: number;
    pipelining?: number;
    requests?: Request[];
    initialContext?: Record<string, unknown>;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
