/** How long after start the server waits before preparing what no first answer needs (the search index, the MCP SDK). */
export const WARM_UP_DELAY_MS = 1000

/**
 * Runs `prepare` once the start has settled. Run at once it would hold up the first /health and tool calls; anything
 * that needs it sooner prepares it on demand. The timer is unref'd so it never keeps a stopping process alive.
 */
export function warmUpLater (prepare: () => void): void {
  setTimeout(prepare, WARM_UP_DELAY_MS).unref()
}
