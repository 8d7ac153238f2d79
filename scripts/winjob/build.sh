#!/bin/sh
# Builds dist/winjob.exe, the Windows job-object launcher (native/winjob/winjob.c), by cross-compiling on
# Linux with Debian's mingw-w64 (`sudo apt-get install gcc-mingw-w64-x86-64`):
#   -municode          wmain(): arguments arrive as UTF-16, exactly as Windows passed them
#   -O2 -s             optimised and stripped
#   __USE_MINGW_ANSI_STDIO=0   msvcrt's own printf rather than mingw's C99 one: 23 KB instead of 62 KB
#   -static-libgcc     no libgcc DLL to ship; the C runtime is msvcrt.dll, part of every Windows, which also
#                      turns the handles Node passes in STARTUPINFO.lpReserved2 into descriptors (--status-fd)
#   -lkernel32         everything it calls (jobs, processes, completion ports) is in kernel32
# Without the cross-compiler it prints why and exits 0: the Linux build does not need the helper.
set -eu
cd "$(dirname "$0")/../.."
CC="${WINJOB_CC:-x86_64-w64-mingw32-gcc}"
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "winjob: skipped, $CC not found (sudo apt-get install gcc-mingw-w64-x86-64); dist/winjob.exe not built" >&2
  exit 0
fi
mkdir -p dist
"$CC" -std=c11 -O2 -s -municode -Wall -Wextra -Werror -static-libgcc -D__USE_MINGW_ANSI_STDIO=0 \
  -o dist/winjob.exe native/winjob/winjob.c -lkernel32
echo "winjob: built dist/winjob.exe ($(wc -c < dist/winjob.exe) bytes)"
