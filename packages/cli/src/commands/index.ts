import type { Command } from '../command.js';
import { blueprintsGenerate, blueprintsList, blueprintsValues } from './blueprints-commands.js';
import { flowControlControlPoints, flowControlPreview } from './flow-control-commands.js';
import { policyValidate } from './policy-commands.js';
import { policyList } from './policy-list-command.js';
import { charts, synth } from './synth-commands.js';
import { installIstioConfig } from './install-commands.js';
import { migrateAperturePolicy } from './migrate-commands.js';

/** Every sluicectl command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  synth,
  charts,
  installIstioConfig,
  blueprintsList,
  blueprintsValues,
  blueprintsGenerate,
  policyValidate,
  policyList,
  migrateAperturePolicy,
  flowControlControlPoints,
  flowControlPreview,
];
