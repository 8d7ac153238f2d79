/**
 * Windows passes a program one command-line string, which the program splits itself; nearly every
 * program splits it as CommandLineToArgvW and the Microsoft C runtime do. These functions build that
 * string from an argv so each argument arrives unchanged. They are the TypeScript twin of `quote_arg` and
 * `build_command_line` in native/winjob/winjob.c and must follow the same rules (both are tested).
 *
 * cmd.exe (and so every .bat/.cmd file) splits by other rules; nothing here is safe to hand to it.
 */

/** Characters that make an argument need quotes. */
const NEEDS_QUOTES = /[ \t\n\v"]/;

/**
 * One argument, quoted when it is empty or holds a space, tab, newline or quote: a quote inside becomes
 * `\"`, and backslashes are doubled only where they come before a quote (inside, or the closing one).
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !NEEDS_QUOTES.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    out += ch === '"' ? '\\'.repeat(backslashes * 2 + 1) : '\\'.repeat(backslashes);
    out += ch;
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

/**
 * The program name is read by other rules: up to the first space, or between quotes with no escapes.
 * Windows file names cannot contain a quote, so one in a program name is refused.
 */
export function quoteWindowsProgram(program: string): string {
  if (program.includes('"')) throw new Error(`a Windows program name cannot contain a quote: ${program}`);
  return program === '' || /[ \t]/.test(program) ? `"${program}"` : program;
}

/** The command line CreateProcessW is given for `argv` (program first). */
export function windowsCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('an empty command has no command line');
  return [quoteWindowsProgram(argv[0]), ...argv.slice(1).map(quoteWindowsArg)].join(' ');
}
