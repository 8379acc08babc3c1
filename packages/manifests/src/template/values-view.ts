import { type Expr, literal, valueAt } from './expr.js';

/**
 * A typed view of a values tree. Constructs read their props through a view: `view.image.tag.$` is an
 * `Expr<string | undefined>`. A view over Helm values prints `$.Values.agent.image.tag`; a view over
 * parsed props is a literal. The construct code is the same for both, which is what makes one definition
 * render twice.
 */
export type View<T> = { readonly $: Expr<T> } & ([NonNullable<T>] extends [readonly unknown[]]
  ? unknown
  : [NonNullable<T>] extends [object]
    ? { readonly [K in keyof NonNullable<T> & string]-?: View<NonNullable<T>[K] | Extract<T, undefined>> }
    : unknown);

function makeView(read: (path: readonly string[]) => Expr, path: readonly string[]): unknown {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (typeof property !== 'string') return undefined;
        if (property === '$') return read(path);
        return makeView(read, [...path, property]);
      },
    },
  );
}

/** A view whose leaves are `.Values` references under `prefix` (chart generation). */
export function valuesView<T>(prefix: readonly string[] = []): View<T> {
  return makeView((path) => valueAt(path), prefix) as View<T>;
}

/** A view whose leaves are constants read from `data` (typed authoring after zod parsing). */
export function literalView<T>(data: T): View<T> {
  return makeView((path) => {
    let current: unknown = data;
    for (const segment of path) {
      current =
        current !== null && typeof current === 'object'
          ? (current as Record<string, unknown>)[segment]
          : undefined;
    }
    return literal(current);
  }, []) as View<T>;
}
