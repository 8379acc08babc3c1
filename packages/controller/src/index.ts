// Public surface of @sluice/controller. The controller is a program (bin `sluice-controller`): other
// packages start it in-process with runController (sluicectl's tests) or spawn the executable. Policy
// compilation lives in @sluice/spec; the controller's own tests import its modules from src.
export { EXIT, runController } from './daemon/run-controller.js';
export type { RunningController } from './daemon/run-controller.js';
