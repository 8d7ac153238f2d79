import type { ManifestTool, ManifestWatcher } from './manifestWatcher';
import type { RunRequest } from './toolRunner';

/** The run request for a manifest tool; Restart re-reads the manifest, so an edited entry is what restarts. */
export function manifestRequest(tool: ManifestTool, manifests: ManifestWatcher): RunRequest {
  const { resolved } = tool;
  return {
    tool: { folder: tool.folder.uri.fsPath, name: tool.name, definition: tool.entry },
    workspace: tool.folder.uri.fsPath,
    command: resolved.command,
    cwd: resolved.cwd,
    requested: resolved.policy,
    limits: resolved.limits,
    refresh: () => {
      const now = manifests.tools().find((t) => t.folder.uri.toString() === tool.folder.uri.toString() && t.name === tool.name);
      return now && manifestRequest(now, manifests);
    },
  };
}
