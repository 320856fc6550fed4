// Waits for a condition a test cannot be told about directly (a worker started, a record
// written by another process), polling. The bound is liveness, not a timing assertion: it
// is far above what the awaited thing takes even on a loaded machine, and only turns a hang
// into a failure that names what never happened.
export async function until (what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
