import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { and, type EvalContext, type Expr, LocalExpr } from '../template/expr.js';
import { goTruthy } from '../template/go-semantics.js';
import { evaluateTree, loopVariables, type TreeObject } from '../template/template-tree.js';

export interface SluiceObjectProps {
  /** Template file under `templates/` that holds this object in the chart, e.g. `agent-daemonset.yaml`. */
  readonly file: string;
  /** Source file that defines the object, named in the chart's "generated" header. */
  readonly source: string;
  /** The object exists only when this is true in Go's sense (a component's `enabled`). @default always */
  readonly when?: Expr<unknown>;
  /** The object as a tree of values and expressions. */
  readonly tree: TreeObject;
  /**
   * Present when synthesising with known values: the tree is evaluated at once into a cdk8s ApiObject.
   * Absent when building a chart: the tree is kept for the Go renderer.
   */
  readonly context?: EvalContext;
}

export interface SluiceObjectListProps extends Omit<SluiceObjectProps, 'tree'> {
  /** One object per element (Go `range` over the list in the chart). */
  readonly forEach: Expr<readonly unknown[] | undefined>;
  readonly build: (item: Expr<never>, index: Expr<number>) => TreeObject;
}

/**
 * One Kubernetes object (or one per list element) defined once for both renderers. With an evaluation
 * context it becomes a cdk8s ApiObject; without one it is a template the chart generator prints.
 */
export class SluiceObject extends Construct {
  readonly file: string;
  readonly source: string;
  readonly when?: Expr<unknown>;
  readonly tree?: TreeObject;
  readonly forEach?: Expr<readonly unknown[] | undefined>;
  readonly build?: (item: Expr<never>, index: Expr<number>) => TreeObject;

  constructor(scope: Construct, id: string, props: SluiceObjectProps | SluiceObjectListProps) {
    super(scope, id);
    this.file = props.file;
    this.source = props.source;
    this.when = props.when;
    if ('forEach' in props) {
      this.forEach = props.forEach;
      this.build = props.build;
    } else {
      this.tree = props.tree;
    }
    const context = props.context;
    if (context === undefined) return;
    if (props.when !== undefined && !goTruthy(props.when.evaluate(context))) return;
    if ('forEach' in props) {
      const names = loopVariables(0);
      (props.forEach.evaluate(context) ?? []).forEach((element, index) => {
        const locals = new Map(context.locals).set(names.item, element).set(names.index, index);
        const tree = props.build(new LocalExpr<never>(names.item), new LocalExpr<number>(names.index));
        this.synthesise(`Resource${index}`, tree, { ...context, locals });
      });
    } else {
      this.synthesise('Resource', props.tree, context);
    }
  }

  private synthesise(id: string, tree: TreeObject, context: EvalContext): void {
    const json = evaluateTree(tree, context) as { apiVersion: string; kind: string; [key: string]: unknown };
    new ApiObject(this, id, json);
  }
}

/** One object as a construct lists it: its construct id and what is its own (file, tree, maybe a condition). */
export type SluiceObjectSpec = { readonly id: string } & (
  Omit<SluiceObjectProps, 'source' | 'context'> | Omit<SluiceObjectListProps, 'source' | 'context'>
);

/** A construct's objects and what they share: the source file, the context, usually the component's condition. */
export interface SluiceObjectsProps extends Pick<SluiceObjectProps, 'source' | 'when' | 'context'> {
  /** In the order they are created and rendered; an object's own `when` applies on top of the shared one. */
  readonly objects: readonly SluiceObjectSpec[];
}

/** Adds a construct's objects under `scope`, in order. */
export function addSluiceObjects(scope: Construct, props: SluiceObjectsProps): SluiceObject[] {
  const { objects, ...shared } = props;
  return objects.map(({ id, ...own }) => {
    // A disabled component renders none of its objects, whatever each object's own condition says.
    const when =
      shared.when === undefined || own.when === undefined
        ? (own.when ?? shared.when)
        : and(shared.when, own.when);
    return new SluiceObject(scope, id, { ...shared, ...own, ...(when === undefined ? {} : { when }) });
  });
}
