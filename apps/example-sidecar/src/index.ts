export { runSidecar, describeEvent, type SidecarOptions } from './sidecar.js';
export { ConnectionStarts, formatDuration } from './durations.js';
export { parseSidecarArgs, USAGE, type SidecarCommand } from './args.js';
