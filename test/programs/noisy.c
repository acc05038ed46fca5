/* A program whose own output is mixed into the trace (strace ... 2>&1).
 *
 * usage: noisy FILE MB
 *
 * Between allocations it writes log text to stdout and stderr: whole lines, pieces of lines
 * without a newline, several lines in one write, text with parentheses, quotes and "= 0". strace
 * prints a write's arguments before the call runs and its result after, so the program's text
 * lands inside the trace line of its own write and splits it.
 *
 * Prints (fd 1, one write each, so the line stays whole): MARK <pid> before|after <kB>.
 */
#include "vmdata.h"

static void say(int fd, const char *s) { (void)!write(fd, s, strlen(s)); }

int main(int argc, char **argv) {
  if (argc != 3) vmdata_die("usage: noisy FILE MB\n");
  static char buf[16384];
  long bytes = atol(argv[2]) * 1024 * 1024;
  mark("before");
  read_whole_file(argv[1], buf, sizeof buf);
  const long chunk = 64L * 1024;
  long i = 0;
  for (long done = 0; done < bytes; done += chunk, i++) {
    allocate_chunks(chunk, chunk);
    switch (i % 6) {
      case 0: say(2, "[info] allocated another chunk (64 KiB) for \"records\"; status = 0\n"); break;
      case 1: say(1, "progress: "); say(1, "...."); say(1, " ok\n"); break;
      case 2: say(2, "warning: line one of two\nwarning: line two) = 0 <0.000001>\n"); break;
      case 3: say(1, "partial output without a newline, "); break;
      case 4: say(2, "\n"); break;
      default: say(2, "read(3, \"not a syscall\", 13) = 13 is just text\n"); break;
    }
  }
  say(1, "\n");
  mark("after");
  return 0;
}
