import { Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

/** Per-request options for @kubernetes/client-node that abort a request still unanswered after `timeoutMs`. */
export function requestTimeout(timeoutMs: number): ConfigurationOptions {
  // The object-parameter API hands per-request middleware to the Observable API as is.
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (context) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** Whether a request failed because the signal of `requestTimeout` aborted it. */
export function isRequestTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
