/* Like forker, but starts the child with posix_spawn, which glibc implements with
 * clone(CLONE_VM|CLONE_VFORK) on a stack it maps for the purpose: the child shares the parent's
 * address space until its execve, and that execve must leave the parent's memory alone.
 *
 * usage: spawner FILE MB CHILD_PROGRAM [CHILD_ARGS...]
 *
 * Prints (fd 1): MARK <pid> before|after <kB>, CHILD <pid> <child pid>.
 */
#include "vmdata.h"

#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 4) vmdata_die("usage: spawner FILE MB CHILD_PROGRAM [CHILD_ARGS...]\n");
  static char buf[16384];
  mark("before");
  read_whole_file(argv[1], buf, sizeof buf);
  allocate_chunks(atol(argv[2]) * 1024 * 1024, 64L * 1024);
  pid_t child;
  if (posix_spawn(&child, argv[3], NULL, NULL, argv + 3, environ) != 0) vmdata_die("posix_spawn failed\n");
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    vmdata_die("child failed\n");
  mark("after");
  tagged_line("CHILD", NULL, (long)child);
  return 0;
}
