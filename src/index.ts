// The package's library entry: embed a node, give it handlers, submit and await jobs.
// See the README's "Embedding" section for a runnable example.
import { requireSupportedNode } from './runtime.js'
requireSupportedNode()
export { startNode, EmbeddedNode } from './node/api.js'
export type { StartNodeOptions, WorkflowOptions } from './node/api.js'
export type { WorkflowDef, StepDef, StepView, StepRecord } from './workflow/index.js'
export type { WorkflowView } from './work/workflows.js'
export type { Handler, Handlers, TaskContext } from './work/executors.js'
export type { JobInput, TaskInput } from './work/spec.js'
export type { JobView } from './work/jobs.js'
export type { JobRecord, JobState } from './node/store/work-store.js'
export { WorkError } from './work/errors.js'
export { MeshError } from './node/errors.js'
export type { DrainStatus } from './wire/proto/admin.js'
