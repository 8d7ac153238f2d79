/*
 * winjob.exe — runs one program inside a Windows job object that enforces the sandbox's limits and takes
 * the whole process tree down when the run ends. It is the Windows counterpart of the bwrap invocation:
 * no filesystem or network isolation, only limits (see src/sandbox/windows/isolation.ts).
 *
 *   winjob.exe [--memory-mb N] [--max-processes N] [--cpu-seconds N] [--cpu-rate PERCENT]
 *              [--status-fd N] -- PROGRAM [ARGS...]
 *
 * Status lines (JSON, one per line, on the C runtime descriptor N, the same vocabulary as bwrap's
 * --json-status-fd):   {"child-pid": N}   {"limit": "memory"|"processes"|"cpu"}   {"exit-code": N}
 * and, before the first, {"ui-restrictions": false} when the job had to go without them (see start_in_job).
 * Exit status: the program's own; 137 when a limit ended it (as a Linux tool killed by SIGKILL);
 * 127 when PROGRAM is not found; 125 when the job could not be set up (nothing was started).
 *
 * Built by scripts/winjob/build.sh with Debian's mingw-w64 (x86_64-w64-mingw32-gcc -municode).
 */
#define WIN32_LEAN_AND_MEAN
#define _WIN32_WINNT 0x0A00 /* Windows 10: nested jobs and CPU rate control exist from Windows 8 */
#include <windows.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

enum {
    EXIT_LIMIT = 137,
    EXIT_NOT_FOUND = 127,
    EXIT_SETUP = 125,
};

/* Completion keys: one for the job's own messages, one for "the main process has exited". */
#define KEY_JOB ((ULONG_PTR)1)
#define KEY_MAIN_EXITED ((ULONG_PTR)2)

struct options {
    ULONGLONG memory_mb;     /* 0: no limit */
    DWORD max_processes;     /* 0: no limit */
    double cpu_seconds;      /* 0: no limit */
    DWORD cpu_rate_percent;  /* 0: no limit */
    int status_fd;           /* -1: no status */
    wchar_t **command;       /* PROGRAM ARGS..., NULL-terminated */
    int command_count;
};

static HANDLE status_handle = INVALID_HANDLE_VALUE;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("winjob: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* One status line, written in one WriteFile so a reader never sees half of it. */
static void status(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    DWORD written;
    int n;
    if (status_handle == INVALID_HANDLE_VALUE) return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof line - 1) return;
    line[n++] = '\n';
    WriteFile(status_handle, line, (DWORD)n, &written, NULL); /* a reader that went away is not our problem */
}

/* ---------------------------------------------------------------- command line quoting */

/*
 * Appends `arg` to `out` so that CommandLineToArgvW (and the Microsoft C runtime) read it back unchanged:
 * an argument without spaces, tabs, newlines or quotes is copied as is; otherwise it is wrapped in quotes,
 * a quote inside becomes \", and backslashes are doubled only where they precede a quote (inside, or the
 * closing one). `out` needs room for 2 * wcslen(arg) + 3 characters. Returns the new end of `out`.
 */
static wchar_t *quote_arg(wchar_t *out, const wchar_t *arg)
{
    const wchar_t *p;
    if (*arg && !wcspbrk(arg, L" \t\n\v\"")) {
        size_t len = wcslen(arg);
        wmemcpy(out, arg, len);
        return out + len;
    }
    *out++ = L'"';
    for (p = arg;; p++) {
        size_t backslashes = 0;
        while (*p == L'\\') {
            p++;
            backslashes++;
        }
        if (*p == L'\0') {
            for (size_t i = 0; i < backslashes * 2; i++) *out++ = L'\\'; /* before the closing quote */
            break;
        }
        if (*p == L'"') {
            for (size_t i = 0; i < backslashes * 2 + 1; i++) *out++ = L'\\';
        } else {
            for (size_t i = 0; i < backslashes; i++) *out++ = L'\\'; /* not before a quote: literal */
        }
        *out++ = *p;
    }
    *out++ = L'"';
    return out;
}

/*
 * The program name (argv[0]) follows other rules: CommandLineToArgvW reads it up to the next space, or
 * between quotes with no escapes at all. Windows file names cannot contain quotes, so quoting it whole
 * when it contains a space or tab is exact.
 */
static wchar_t *quote_program(wchar_t *out, const wchar_t *program)
{
    size_t len = wcslen(program);
    int quote = len == 0 || wcspbrk(program, L" \t") != NULL;
    if (quote) *out++ = L'"';
    wmemcpy(out, program, len);
    out += len;
    if (quote) *out++ = L'"';
    return out;
}

/* The whole command line for CreateProcessW; NULL if the program name contains a quote. Caller frees. */
static wchar_t *build_command_line(wchar_t **argv, int argc)
{
    size_t size = 1;
    wchar_t *line, *end;
    if (wcschr(argv[0], L'"')) return NULL;
    for (int i = 0; i < argc; i++) size += 2 * wcslen(argv[i]) + 4;
    line = malloc(size * sizeof(wchar_t));
    if (!line) return NULL;
    end = quote_program(line, argv[0]);
    for (int i = 1; i < argc; i++) {
        *end++ = L' ';
        end = quote_arg(end, argv[i]);
    }
    *end = L'\0';
    return line;
}

/* ---------------------------------------------------------------- program lookup */

static int is_file(const wchar_t *path)
{
    DWORD attributes = GetFileAttributesW(path);
    return attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY);
}

static int has_extension(const wchar_t *name)
{
    const wchar_t *base = name, *p;
    for (p = name; *p; p++)
        if (*p == L'\\' || *p == L'/' || *p == L':') base = p + 1;
    return wcschr(base, L'.') != NULL;
}

static int is_batch_file(const wchar_t *path)
{
    size_t len = wcslen(path);
    return len >= 4 && (_wcsicmp(path + len - 4, L".bat") == 0 || _wcsicmp(path + len - 4, L".cmd") == 0);
}

/* `dir\name`, or `dir\name.exe` when the name has no extension (as CreateProcess appends .exe). */
static int try_candidate(wchar_t *out, size_t size, const wchar_t *dir, size_t dir_len, const wchar_t *name)
{
    const wchar_t *sep = dir_len && dir[dir_len - 1] != L'\\' && dir[dir_len - 1] != L'/' ? L"\\" : L"";
    const wchar_t *ext = has_extension(name) ? L"" : L".exe";
    if (_snwprintf(out, size, L"%.*ls%ls%ls%ls", (int)dir_len, dir, sep, name, ext) < 0) return 0;
    out[size - 1] = L'\0';
    if (is_file(out)) return 1;
    if (*ext) { /* an extensionless file named exactly so */
        _snwprintf(out, size, L"%.*ls%ls%ls", (int)dir_len, dir, sep, name);
        out[size - 1] = L'\0';
        return is_file(out);
    }
    return 0;
}

/*
 * The program's full path. A name with a directory part is taken as given; a bare name is looked up in
 * PATH only. Unlike CreateProcess, neither the current directory (the workspace) nor winjob's own
 * directory is searched, so a workspace cannot plant a cmd.exe of its own.
 */
static int find_program(const wchar_t *name, wchar_t *out, size_t size)
{
    static wchar_t path[32768];
    const wchar_t *dir;
    if (wcspbrk(name, L"\\/:")) return try_candidate(out, size, L"", 0, name);
    if (!GetEnvironmentVariableW(L"PATH", path, sizeof path / sizeof path[0])) return 0;
    for (dir = path; *dir;) {
        const wchar_t *end = wcschr(dir, L';');
        size_t len = end ? (size_t)(end - dir) : wcslen(dir);
        if (len && try_candidate(out, size, dir, len, name)) return 1;
        dir += len + (end ? 1 : 0);
    }
    return 0;
}

/* ---------------------------------------------------------------- options */

static int parse_number(const wchar_t *flag, const wchar_t *text, double max, double *value)
{
    wchar_t *end;
    double v = wcstod(text, &end);
    if (!*text || *end || !(v > 0) || v > max) {
        fail("%ls: expected a number greater than 0 and at most %.0f, got '%ls'", flag, max, text);
        return 0;
    }
    *value = v;
    return 1;
}

static int parse_options(int argc, wchar_t **argv, struct options *o)
{
    int i;
    double v;
    o->status_fd = -1;
    for (i = 1; i < argc; i++) {
        const wchar_t *flag = argv[i];
        if (wcscmp(flag, L"--") == 0) {
            o->command = argv + i + 1;
            o->command_count = argc - i - 1;
            if (o->command_count == 0) break;
            return 1;
        }
        if (i + 1 >= argc) break;
        if (wcscmp(flag, L"--memory-mb") == 0) {
            if (!parse_number(flag, argv[++i], 1 << 30, &v)) return 0;
            o->memory_mb = (ULONGLONG)v;
        } else if (wcscmp(flag, L"--max-processes") == 0) {
            if (!parse_number(flag, argv[++i], 1 << 30, &v)) return 0;
            o->max_processes = (DWORD)v;
        } else if (wcscmp(flag, L"--cpu-seconds") == 0) {
            if (!parse_number(flag, argv[++i], 1e9, &v)) return 0;
            o->cpu_seconds = v;
        } else if (wcscmp(flag, L"--cpu-rate") == 0) {
            if (!parse_number(flag, argv[++i], 100, &v)) return 0;
            o->cpu_rate_percent = (DWORD)v ? (DWORD)v : 1;
        } else if (wcscmp(flag, L"--status-fd") == 0) {
            if (!parse_number(flag, argv[++i], 1 << 20, &v)) return 0;
            o->status_fd = (int)v;
        } else {
            fail("unknown option '%ls'", flag);
            return 0;
        }
    }
    fail("usage: winjob.exe [--memory-mb N] [--max-processes N] [--cpu-seconds N] [--cpu-rate PERCENT] "
         "[--status-fd N] -- PROGRAM [ARGS...]");
    return 0;
}

/* ---------------------------------------------------------------- the job */

static const DWORD UI_RESTRICTIONS = JOB_OBJECT_UILIMIT_READCLIPBOARD | JOB_OBJECT_UILIMIT_WRITECLIPBOARD |
                                     JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_GLOBALATOMS |
                                     JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS | JOB_OBJECT_UILIMIT_DISPLAYSETTINGS |
                                     JOB_OBJECT_UILIMIT_EXITWINDOWS | JOB_OBJECT_UILIMIT_HANDLES;

static int set_ui_restrictions(HANDLE job, DWORD restrictions)
{
    JOBOBJECT_BASIC_UI_RESTRICTIONS ui = {restrictions};
    return SetInformationJobObject(job, JobObjectBasicUIRestrictions, &ui, sizeof ui);
}

/*
 * The job and its limits. Breakaway is never allowed (neither BREAKAWAY_OK nor SILENT_BREAKAWAY_OK), so
 * every process the tool starts with CreateProcess is in the job. Returns NULL after printing why.
 */
static HANDLE create_job(const struct options *o, HANDLE port)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {0};
    JOBOBJECT_ASSOCIATE_COMPLETION_PORT association = {(PVOID)KEY_JOB, port};
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job) {
        fail("CreateJobObject failed (error %lu)", GetLastError());
        return NULL;
    }
    /* Messages first, so none about the tool is missed. */
    if (!SetInformationJobObject(job, JobObjectAssociateCompletionPortInformation, &association, sizeof association)) {
        fail("associating a completion port with the job failed (error %lu)", GetLastError());
        return NULL;
    }
    /* Closing the last handle (our exit, or our death) kills everything; a crash ends the process at once
       instead of leaving an error dialog that keeps the job alive. */
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if (o->memory_mb) {
        limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY; /* committed memory of all processes */
        limits.JobMemoryLimit = (SIZE_T)(o->memory_mb * 1024 * 1024);
    }
    if (o->max_processes) {
        limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
        limits.BasicLimitInformation.ActiveProcessLimit = o->max_processes;
    }
    if (o->cpu_seconds > 0) {
        limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_TIME; /* user-mode time, all processes */
        limits.BasicLimitInformation.PerJobUserTimeLimit.QuadPart = (LONGLONG)(o->cpu_seconds * 10000000.0);
    }
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        fail("setting the job's limits failed (error %lu)", GetLastError());
        return NULL;
    }
    if (o->cpu_seconds > 0) {
        /* Post JOB_OBJECT_MSG_END_OF_JOB_TIME instead of terminating silently, so we can say "cpu". Where
           that cannot be set (Wine), the limit still holds: the system ends every process with
           ERROR_NOT_ENOUGH_QUOTA, which wmain reads as the CPU limit. */
        JOBOBJECT_END_OF_JOB_TIME_INFORMATION action = {JOB_OBJECT_POST_AT_END_OF_JOB};
        SetInformationJobObject(job, JobObjectEndOfJobTimeInformation, &action, sizeof action);
    }
    if (o->cpu_rate_percent) {
        JOBOBJECT_CPU_RATE_CONTROL_INFORMATION rate = {0};
        rate.ControlFlags = JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
        rate.CpuRate = o->cpu_rate_percent * 100; /* in 1/100 of a percent of all processors */
        if (!SetInformationJobObject(job, JobObjectCpuRateControlInformation, &rate, sizeof rate)) {
            fail("setting the job's CPU rate failed (error %lu)", GetLastError());
            return NULL;
        }
    }
    if (!set_ui_restrictions(job, UI_RESTRICTIONS)) {
        fail("setting the job's UI restrictions failed (error %lu)", GetLastError());
        return NULL;
    }
    return job;
}

/*
 * Creates the program suspended and puts it in the job before it runs a single instruction, so nothing
 * it starts can be outside. If we are ourselves in a job (Node puts its children in one), the program
 * breaks away from it where that job allows it, because a job with UI restrictions cannot be nested;
 * where it does not, the job goes without UI restrictions and says so with {"ui-restrictions": false}.
 */
static int start_in_job(HANDLE job, const wchar_t *program, wchar_t *command_line, PROCESS_INFORMATION *pi)
{
    STARTUPINFOW si = {0};
    DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT;
    BOOL in_job = FALSE;
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    /* Without a console of our own (a GUI parent), a console program would open a window. */
    if (!GetConsoleWindow()) flags |= CREATE_NO_WINDOW;
    IsProcessInJob(GetCurrentProcess(), NULL, &in_job);
    if (!(in_job && CreateProcessW(program, command_line, NULL, NULL, TRUE, flags | CREATE_BREAKAWAY_FROM_JOB, NULL, NULL, &si, pi)) &&
        !CreateProcessW(program, command_line, NULL, NULL, TRUE, flags, NULL, NULL, &si, pi)) {
        fail("could not start %ls (error %lu)", program, GetLastError());
        return 0;
    }
    if (!AssignProcessToJobObject(job, pi->hProcess)) {
        DWORD error = GetLastError();
        if (!set_ui_restrictions(job, 0) || !AssignProcessToJobObject(job, pi->hProcess)) {
            fail("could not put %ls in the job (error %lu)", program, error);
            TerminateProcess(pi->hProcess, EXIT_SETUP);
            return 0;
        }
        status("{\"ui-restrictions\": false}");
    }
    return 1;
}

/* Turns "the main process has exited" into a completion packet, so one loop waits for everything. */
static DWORD WINAPI watch_main_process(LPVOID arg)
{
    HANDLE *handles = arg; /* process, port */
    WaitForSingleObject(handles[0], INFINITE);
    PostQueuedCompletionStatus(handles[1], 0, KEY_MAIN_EXITED, NULL);
    return 0;
}

static const char *limit_of_message(DWORD message)
{
    switch (message) {
    case JOB_OBJECT_MSG_JOB_MEMORY_LIMIT:
    case JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT:
        return "memory";
    case JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT:
        return "processes";
    case JOB_OBJECT_MSG_END_OF_JOB_TIME:
    case JOB_OBJECT_MSG_END_OF_PROCESS_TIME:
        return "cpu";
    default:
        return NULL;
    }
}

/* Ctrl+C and Ctrl+Break are the tool's to handle; we stay to relay how it ended. Closing the console or
   logging off is not handled, so we die and the job (KILL_ON_JOB_CLOSE) takes the tree with us. */
static BOOL WINAPI on_console_control(DWORD event)
{
    return event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT;
}

int wmain(int argc, wchar_t **argv)
{
    struct options o = {0};
    static wchar_t program[32768];
    wchar_t *command_line;
    PROCESS_INFORMATION pi;
    HANDLE port, job, watcher, watched[2];
    const char *limit = NULL;
    DWORD message, exit_code = EXIT_SETUP;
    ULONG_PTR key;
    LPOVERLAPPED data;

    if (!parse_options(argc, argv, &o)) return EXIT_SETUP;
    if (o.status_fd >= 0) {
        /* A C runtime descriptor: Node hands extra stdio entries to a child through STARTUPINFO's
           lpReserved2, which msvcrt turns back into descriptors at start-up. */
        status_handle = (HANDLE)_get_osfhandle(o.status_fd);
        if (status_handle == INVALID_HANDLE_VALUE) {
            fail("--status-fd %d is not an open descriptor", o.status_fd);
            return EXIT_SETUP;
        }
        /* The tool must not inherit it: it could forge our status lines. */
        SetHandleInformation(status_handle, HANDLE_FLAG_INHERIT, 0);
    }
    if (!find_program(o.command[0], program, sizeof program / sizeof program[0])) {
        fail("command not found: %ls (only .exe and .com programs are looked up; batch files are not run)", o.command[0]);
        return EXIT_NOT_FOUND;
    }
    if (is_batch_file(program)) {
        /* cmd.exe would parse the arguments again by its own rules, so our quoting could not protect them. */
        fail("%ls is a batch file; run it as cmd.exe /d /c with arguments quoted for cmd, or run its interpreter", program);
        return EXIT_SETUP;
    }
    command_line = build_command_line(o.command, o.command_count);
    if (!command_line) {
        fail("the program name may not contain a quote");
        return EXIT_SETUP;
    }
    SetConsoleCtrlHandler(on_console_control, TRUE);

    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (!port) {
        fail("CreateIoCompletionPort failed (error %lu)", GetLastError());
        return EXIT_SETUP;
    }
    job = create_job(&o, port);
    if (!job) return EXIT_SETUP;
    if (!start_in_job(job, program, command_line, &pi)) return EXIT_SETUP;
    status("{\"child-pid\": %lu}", pi.dwProcessId);
    watched[0] = pi.hProcess;
    watched[1] = port;
    watcher = CreateThread(NULL, 0, watch_main_process, watched, 0, NULL);
    if (!watcher) {
        fail("CreateThread failed (error %lu)", GetLastError());
        TerminateJobObject(job, EXIT_SETUP);
        return EXIT_SETUP;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);

    /* Until the main process exits: on a limit, end the whole tree. */
    while (GetQueuedCompletionStatus(port, &message, &key, &data, INFINITE) && key != KEY_MAIN_EXITED) {
        const char *fired = key == KEY_JOB ? limit_of_message(message) : NULL;
        if (fired && !limit) {
            limit = fired;
            status("{\"limit\": \"%s\"}", limit);
            TerminateJobObject(job, EXIT_LIMIT);
        }
    }
    /* A limit message queued just before the exit still names the cause. */
    while (!limit && GetQueuedCompletionStatus(port, &message, &key, &data, 0)) {
        const char *fired = key == KEY_JOB ? limit_of_message(message) : NULL;
        if (fired) {
            limit = fired;
            status("{\"limit\": \"%s\"}", limit);
        }
    }
    GetExitCodeProcess(pi.hProcess, &exit_code);
    if (!limit && o.cpu_seconds > 0 && exit_code == ERROR_NOT_ENOUGH_QUOTA) {
        limit = "cpu"; /* the system's own end-of-job-time action */
        status("{\"limit\": \"%s\"}", limit);
        exit_code = EXIT_LIMIT;
    }
    /* Explicitly, not only through KILL_ON_JOB_CLOSE: a tool (same user) may hold a duplicate of the handle. */
    TerminateJobObject(job, EXIT_LIMIT);
    CloseHandle(job);
    status("{\"exit-code\": %lu}", exit_code);
    return (int)exit_code;
}
