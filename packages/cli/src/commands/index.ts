import type { Command } from '../command.js';
import { blueprintsGenerate, blueprintsList, blueprintsValues } from './blueprints-commands.js';
import { policyValidate } from './policy-commands.js';

/** Every sluicectl command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [blueprintsList, blueprintsValues, blueprintsGenerate, policyValidate];
