/** JSON-RPC error codes of our own (the -32000 range is for implementations). */
export const SupervisorErrorCodes = {
  /** The request names a sandbox the supervisor does not know. */
  UnknownSandbox: -32001,
  /** The cap on concurrent sandboxes is reached. */
  TooManySandboxes: -32002,
  /** The sandbox could not start (bwrap missing, namespaces refused); the message says why. */
  StartFailed: -32003,
  /** The command does not exist. */
  CommandNotFound: -32004,
  /** The request is well-formed but refused (a grant through a symlink, a write grant of HOME). */
  Refused: -32005,
  /** The protocol versions differ. */
  VersionMismatch: -32006,
  /** The message exceeded the size limit and was dropped unread. */
  MessageTooLarge: -32007,
} as const;
