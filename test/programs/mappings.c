/* Every row of SPEC §1's table, one step at a time, each followed by a VmData marker.
 *
 * usage: mappings FILE   (FILE: at least 2 MiB, readable and writable)
 *
 * Before the first step it prints nothing but the "start" marker; after each step it prints
 *   MARK <pid> <step> <VmData kB>      (the kernel's number, read after the step)
 *   HEAP <pid> <step> <bytes>          (the change SPEC §1's "heap" series must show for the step)
 * The HEAP line is the program's own account of what it just did: anonymous private writable bytes
 * and brk, but not file-backed, shared, grows-down or PROT_NONE memory.
 * No malloc or stdio: the steps are the only memory changes between markers. FILE is never read:
 * it becomes the current file only by being mapped, and only one step allocates after mapping it.
 */
#define _GNU_SOURCE
#include "vmdata.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define KiB 1024L
#define MiB (1024L * 1024L)

static void step(const char *label, long heap_change) {
  mark(label);
  tagged_line("HEAP", label, heap_change);
}

static char *map(void *addr, long len, int prot, int flags, int fd) {
  char *p = mmap(addr, (size_t)len, prot, flags, fd, 0);
  if (p == MAP_FAILED) vmdata_die("mmap failed\n");
  return p;
}

static void check(int r, const char *what) {
  if (r != 0) vmdata_die(what);
}

int main(int argc, char **argv) {
  if (argc != 2) vmdata_die("usage: mappings FILE\n");
  const int RW = PROT_READ | PROT_WRITE;
  const int PA = MAP_PRIVATE | MAP_ANONYMOUS;
  int ro = open(argv[1], O_RDONLY);
  int rw = open(argv[1], O_RDWR);
  if (ro < 0 || rw < 0) vmdata_die("cannot open FILE\n");
  mark("start");

  /* mmap, munmap (splitting), mprotect (splitting) on private anonymous memory */
  char *a = map(NULL, 4 * MiB, RW, PA, -1);
  step("anon-map", 4 * MiB);
  check(munmap(a + 1 * MiB, 1 * MiB), "munmap middle\n");
  step("unmap-middle", -1 * MiB);
  check(mprotect(a + 2 * MiB, 1 * MiB, PROT_READ), "mprotect ro\n");
  step("protect-ro", -1 * MiB);
  check(mprotect(a + 2 * MiB + 256 * KiB, 512 * KiB, RW), "mprotect rw\n");
  step("protect-rw-part", 512 * KiB);

  /* shared, file-backed, grows-down: not heap; only private writable is VmData */
  map(NULL, 4 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS, -1);
  step("shared-anon", 0);
  map(NULL, 2 * MiB, RW, MAP_PRIVATE, ro);
  step("file-private-rw", 0);
  char *fro = map(NULL, 2 * MiB, PROT_READ, MAP_PRIVATE, ro);
  step("file-private-ro", 0);
  check(mprotect(fro, 1 * MiB, RW), "mprotect file rw\n");
  step("file-protect-rw", 0);
  map(NULL, 2 * MiB, RW, MAP_SHARED, rw);
  step("file-shared-rw", 0);
  map(NULL, 1 * MiB, RW, PA | MAP_GROWSDOWN, -1);
  step("growsdown", 0);

  /* mapping a file makes it the current file (SPEC §2): the next allocation is charged to it */
  map(NULL, 64 * KiB, PROT_READ, MAP_PRIVATE, ro);
  map(NULL, 1 * MiB, RW, PA, -1);
  step("file-map-then-anon", 1 * MiB);

  /* a PROT_NONE reservation, MAP_FIXED overlays (glibc arenas, thread stacks) */
  char *r = map(NULL, 8 * MiB, PROT_NONE, PA | MAP_NORESERVE, -1);
  step("reserve", 0);
  map(r + 1 * MiB, 2 * MiB, RW, PA | MAP_FIXED, -1);
  step("fixed-rw", 2 * MiB);
  map(r + 2 * MiB, 1 * MiB, PROT_NONE, PA | MAP_FIXED, -1);
  step("fixed-none", -1 * MiB);
  check(mprotect(r + 4 * MiB, 3 * MiB, RW), "mprotect reservation\n");
  step("reserve-protect-rw", 3 * MiB);
  check(munmap(r, 8 * MiB), "munmap span\n");
  step("unmap-span", -4 * MiB); /* 1 MiB at r+1M, and 3 MiB at r+4M, plus PROT_NONE and holes */

  /* mremap: grow (moving), shrink in place, and MREMAP_DONTUNMAP (the old range stays mapped) */
  char *m = map(NULL, 1 * MiB, RW, PA, -1);
  step("remap-src", 1 * MiB);
  char *m2 = mremap(m, 1 * MiB, 3 * MiB, MREMAP_MAYMOVE);
  if (m2 == MAP_FAILED) vmdata_die("mremap grow\n");
  step("remap-grow", 2 * MiB);
  char *m3 = mremap(m2, 3 * MiB, 512 * KiB, 0);
  if (m3 == MAP_FAILED) vmdata_die("mremap shrink\n");
  step("remap-shrink", -(3 * MiB - 512 * KiB));
  char *m4 = mremap(m3, 512 * KiB, 512 * KiB, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
  step("remap-dontunmap", m4 == MAP_FAILED ? 0 : 512 * KiB);

  /* brk */
  char *b0 = sbrk(0);
  if (b0 == (void *)-1 || sbrk(3 * MiB) == (void *)-1) vmdata_die("sbrk grow\n");
  step("brk-grow", 3 * MiB); /* b0 is page aligned: the heap starts at a page boundary */
  if (sbrk(-1 * MiB) == (void *)-1) vmdata_die("sbrk shrink\n");
  step("brk-shrink", -1 * MiB);

  /* lengths are rounded up to pages */
  char *odd = map(NULL, 10000, RW, PA, -1);
  step("odd-length", 12288);
  check(munmap(odd, 5000), "munmap odd\n");
  step("odd-unmap", -8192);

  /* pkey_mprotect, with the default key */
  char *k = map(NULL, 1 * MiB, RW, PA, -1);
  step("pkey-src", 1 * MiB);
  long pk = syscall(SYS_pkey_mprotect, k, 1 * MiB, PROT_READ, -1);
  step("pkey-ro", pk == 0 ? -1 * MiB : 0);

  /* failed calls change nothing */
  void *f1 = mmap(k, 4096, RW, PA | MAP_FIXED_NOREPLACE, -1, 0); /* EEXIST: k is mapped */
  void *f2 = mmap(NULL, 1 * MiB, RW, MAP_PRIVATE, 1000, 0);      /* EBADF */
  int f3 = munmap(k + 1, 4096);                                   /* EINVAL: unaligned */
  int f4 = mprotect(r, 4096, RW);                                 /* ENOMEM: r was unmapped */
  if (f1 != MAP_FAILED || f2 != MAP_FAILED || f3 == 0 || f4 == 0) vmdata_die("a call meant to fail succeeded\n");
  step("failed-calls", 0);

  /* madvise frees pages, not address space */
  check(madvise(a, 1 * MiB, MADV_DONTNEED), "madvise\n");
  step("madvise", 0);
  return 0;
}
