import type { Command } from '../command.js';
import { blueprintsGenerate, blueprintsList, blueprintsValues } from './blueprints-commands.js';
import { completionCommand } from './completion-command.js';
import { flowControlControlPoints, flowControlPreview } from './flow-control-commands.js';
import { helpCommand } from './help-command.js';
import { init } from './init-command.js';
import { policyValidate } from './policy-commands.js';
import { policyList } from './policy-list-command.js';
import { charts, synth } from './synth-commands.js';
import { installIstioConfig } from './install-commands.js';
import { migrateAperturePolicy } from './migrate-commands.js';
import { versionCommand } from './version-command.js';

/** Every sluicectl command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  init,
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
  // help and completion read the table they are part of, so they take it lazily.
  helpCommand(() => COMMANDS),
  completionCommand(() => COMMANDS),
  versionCommand,
];
