/* The program forker execs: its own phase in a fresh address space.
 *
 * usage: child FILE MB
 *
 * Prints (fd 1): MARK <pid> child-before|child-after <kB>.
 */
#include "vmdata.h"

int main(int argc, char **argv) {
  if (argc != 3) vmdata_die("usage: child FILE MB\n");
  static char buf[16384];
  mark("child-before");
  read_whole_file(argv[1], buf, sizeof buf);
  allocate_chunks(atol(argv[2]) * 1024 * 1024, 32L * 1024);
  mark("child-after");
  return 0;
}
