/* A buffer grown by realloc far past the mmap threshold, then freed.
 *
 * usage: realloc FILE MB
 *
 * The first malloc (256 KiB) is above the 128 KiB threshold, so glibc serves it with mmap; every
 * realloc of an mmapped chunk is an mremap(MREMAP_MAYMOVE), which may move the mapping. free()
 * unmaps it. Phases: before → grown (file read, buffer doubled up to MB MiB) → freed.
 *
 * Prints (fd 1): MARK <pid> before|grown|freed <kB>, SIZE <pid> <final buffer bytes>.
 */
#include "vmdata.h"

int main(int argc, char **argv) {
  if (argc != 3) vmdata_die("usage: realloc FILE MB\n");
  long final = atol(argv[2]) * 1024 * 1024;
  static char buf[16384];
  mark("before");
  long got = read_whole_file(argv[1], buf, sizeof buf);
  size_t size = 256 * 1024;
  char *p = malloc(size);
  if (p == NULL) vmdata_die("malloc failed\n");
  memcpy(p, buf, got < (long)sizeof buf ? (size_t)got : sizeof buf);
  while ((long)size < final) {
    size *= 2;
    char *q = realloc(p, size);
    if (q == NULL) vmdata_die("realloc failed\n");
    p = q;
    p[size - 1] = 1; /* touch the new end */
  }
  vmdata_sink = p;
  mark("grown");
  free(p);
  mark("freed");
  tagged_line("SIZE", NULL, (long)size);
  return 0;
}
