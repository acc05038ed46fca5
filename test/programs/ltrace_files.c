/*
 * Reads two files, the first through stdio (fopen/fread), the second through a descriptor
 * (open/read), and after each allocates amounts that grow with what it read, through malloc,
 * calloc, realloc (NULL = malloc, 0 = free) and free. It keeps its own tally of the requested
 * bytes it charged to each file, the way heaptrace's attribution does (SPEC §2), and prints it:
 *   READ <path> <bytes>
 *   FILE <path> <growth> <net> <peak>
 *   TOTAL <peak live bytes> <live bytes at the end>
 * With a third argument "frees" it also frees a block ltrace never saw allocated (asprintf's, made
 * inside libc) and frees one block twice (a fastbin double free, which glibc lets pass when the
 * tcache is off: run it with GLIBC_TUNABLES=glibc.malloc.tcache_count=0), and prints
 *   FREES <unknown> <double>
 * Built with -no-pie -Wl,-z,lazy so that ltrace 0.7 sees its calls.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tally { long growth, net, peak; };
static struct tally cur;
static long live, live_peak;

static void charge(long d) {
  cur.net += d;
  if (d > 0) cur.growth += d;
  if (cur.net > cur.peak) cur.peak = cur.net;
  live += d;
  if (live > live_peak) live_peak = live;
}

static void report(const char *path) {
  printf("FILE %s %ld %ld %ld\n", path, cur.growth, cur.net, cur.peak);
  cur = (struct tally){0, 0, 0};
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  char buf[1024];

  FILE *f = fopen(argv[1], "r");
  if (!f) return 3;
  size_t k = 0, n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) k += n;
  fclose(f);
  printf("READ %s %zu\n", argv[1], k);
  void *a = malloc(k * 10); charge((long)(k * 10));
  void *b = calloc(k, 4); charge((long)(k * 4));
  b = realloc(b, k * 8); charge((long)(k * 4));
  void *c = realloc(NULL, 5000); charge(5000);
  free(a); charge(-(long)(k * 10));
  c = realloc(c, 0); charge(-5000);
  report(argv[1]);

  int fd = open(argv[2], O_RDONLY);
  if (fd < 0) return 4;
  size_t t = 0;
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) t += (size_t)r;
  close(fd);
  printf("READ %s %zu\n", argv[2], t);
  void *p[8];
  for (int i = 0; i < 8; i++) { p[i] = malloc((size_t)(i + 1) * t); charge((long)((i + 1) * t)); }
  for (int i = 0; i < 8; i += 2) { free(p[i]); charge(-(long)((i + 1) * t)); }
  if (argc > 3 && strcmp(argv[3], "frees") == 0) {
    char *s = NULL;
    if (asprintf(&s, "%zu", t) < 0) return 5;
    free(s); /* allocated inside libc: ltrace did not see it */
    void *x = malloc(24); charge(24);
    void *y = malloc(24); charge(24);
    free(x); charge(-24);
    free(y); charge(-24);
    free(x); /* twice */
    printf("FREES 1 1\n");
  }
  report(argv[2]);
  printf("TOTAL %ld %ld\n", live_peak, live);
  fflush(stdout);
  return 0;
}
