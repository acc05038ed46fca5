/* Phase markers for heaptrace's integration tests.
 *
 * mark("label") reads /proc/self/status with one open/read into a static buffer and prints
 *   MARK <pid> <label> <VmData kB>\n
 * with a single write(2) to fd 1. The kernel computes VmData during that read(2), so the read is
 * the point of the trace the printed number belongs to. Nothing here calls malloc or stdio: the
 * marker itself must not change the memory it measures, and one write(2) per line keeps the line
 * whole when stdout is shared with strace's own output (the 2>&1 test).
 */
#ifndef HEAPTRACE_VMDATA_H
#define HEAPTRACE_VMDATA_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static char vmdata_status[16384];
/* Keeps allocations observable so no optimiser can drop them. */
static void *volatile vmdata_sink;

static size_t vmdata_fmt_long(char *out, long v) {
  char tmp[24];
  size_t n = 0, len = 0;
  if (v < 0) { out[len++] = '-'; v = -v; }
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v > 0);
  while (n > 0) out[len++] = tmp[--n];
  return len;
}

static void vmdata_die(const char *msg) {
  (void)!write(2, msg, strlen(msg));
  _exit(99);
}

/* VmData in kB, read from the kernel in one read(2). */
static long vmdata_kb(void) {
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0) vmdata_die("vmdata: cannot open /proc/self/status\n");
  ssize_t n = read(fd, vmdata_status, sizeof vmdata_status - 1);
  close(fd);
  if (n <= 0) vmdata_die("vmdata: cannot read /proc/self/status\n");
  vmdata_status[n] = '\0';
  const char *p = strstr(vmdata_status, "\nVmData:");
  if (p == NULL) vmdata_die("vmdata: no VmData line\n");
  p += 8;
  while (*p == ' ' || *p == '\t') p++;
  long kb = 0;
  while (*p >= '0' && *p <= '9') kb = kb * 10 + (*p++ - '0');
  return kb;
}

/* Prints "TAG <pid> [LABEL ]VALUE\n" to fd 1 with a single write(2); label may be NULL. */
static void tagged_line(const char *tag, const char *label, long value) {
  char line[256];
  size_t len = 0, l = strlen(tag);
  if (l > 20) l = 20;
  memcpy(line + len, tag, l); len += l;
  line[len++] = ' ';
  len += vmdata_fmt_long(line + len, (long)getpid());
  line[len++] = ' ';
  if (label != NULL) {
    l = strlen(label);
    if (l > 100) l = 100;
    memcpy(line + len, label, l); len += l;
    line[len++] = ' ';
  }
  len += vmdata_fmt_long(line + len, value);
  line[len++] = '\n';
  if (write(1, line, len) != (ssize_t)len) vmdata_die("vmdata: short write\n");
}

static void mark(const char *label) {
  long kb = vmdata_kb();
  tagged_line("MARK", label, kb);
}

/* Reads a whole file with open/read into a caller's buffer (no malloc, no stdio); returns bytes read. */
__attribute__((unused)) static long read_whole_file(const char *path, char *buf, size_t bufsize) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) vmdata_die("read_whole_file: cannot open input\n");
  long total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, bufsize);
    if (n < 0) vmdata_die("read_whole_file: read failed\n");
    if (n == 0) break;
    total += n;
  }
  close(fd);
  return total;
}

/* Allocates `bytes` in chunks of `chunk` bytes (below the mmap threshold, so from the calling
 * thread's malloc arena) and touches them; the chunks are deliberately never freed. */
__attribute__((unused)) static void allocate_chunks(long bytes, long chunk) {
  for (long done = 0; done < bytes; done += chunk) {
    char *p = malloc((size_t)chunk);
    if (p == NULL) vmdata_die("allocate_chunks: malloc failed\n");
    memset(p, 0x5a, (size_t)chunk);
    vmdata_sink = p;
  }
}

#endif
