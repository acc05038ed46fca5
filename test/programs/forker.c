/* A parent that reads a file, allocates, forks a child that execs another program, and waits.
 *
 * usage: forker FILE MB CHILD_PROGRAM [CHILD_ARGS...]
 *
 * The child is made by fork() (glibc: clone without CLONE_VM), so it starts with a copy of the
 * parent's address space and then replaces it with execv. The parent's phase (before → after)
 * spans the fork and the wait, which must change nothing in the parent's own accounting.
 *
 * Prints (fd 1): MARK <pid> before|after <kB>, CHILD <pid> <child pid>.
 */
#include "vmdata.h"

#include <sys/wait.h>

int main(int argc, char **argv) {
  if (argc < 4) vmdata_die("usage: forker FILE MB CHILD_PROGRAM [CHILD_ARGS...]\n");
  static char buf[16384];
  mark("before");
  read_whole_file(argv[1], buf, sizeof buf);
  allocate_chunks(atol(argv[2]) * 1024 * 1024, 64L * 1024);
  pid_t child = fork();
  if (child < 0) vmdata_die("fork failed\n");
  if (child == 0) {
    execv(argv[3], argv + 3);
    vmdata_die("execv failed\n");
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    vmdata_die("child failed\n");
  mark("after");
  tagged_line("CHILD", NULL, (long)child);
  return 0;
}
