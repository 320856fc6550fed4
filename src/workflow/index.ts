// Workflows (issue 13): named steps with needs, `${{ }}` expressions, conditions, matrix
// fan-out and approval gates, checked at submit and run by a pure engine that the work core
// drives. Definitions and checks: definition.ts; expressions: expr.ts; the engine: run.ts;
// the terminal view: view.ts.

export {
  parseWorkflow,
  parseWorkflowText,
  resolveInputs,
  STEP_NAME,
  type WorkflowDef,
  type WorkflowDefaults,
  type StepDef,
  type InputDecl,
  type ApprovalDef
} from './definition.js'
export { WorkflowError, type WorkflowErrorCode } from './errors.js'
export { WORKFLOW_LIMITS, DEFAULT_APPROVAL_TIMEOUT_MS } from './limits.js'
export {
  WorkflowRun,
  taskKey,
  type StepOutcome,
  type StepRecord,
  type StepTask,
  type ApprovalAsk,
  type WorkflowAction,
  type WorkflowSummary,
  type StepView,
  type StepState
} from './run.js'
export { renderView } from './view.js'
