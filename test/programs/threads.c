/* Two threads, each reading its own file and then allocating from its own malloc arena.
 *
 * usage: threads FILE_A MB_A FILE_B MB_B
 *
 * glibc gives each new thread its own arena: a PROT_NONE reservation (mmap) made writable
 * piecewise with mprotect as the arena grows. Both threads read their file first and wait at a
 * barrier, so when either starts allocating both files have been read: a model that kept one
 * "current file" per process instead of per thread would charge one file for both allocations.
 *
 * Prints (fd 1): MARK <pid> before <kB>, ALLOC <pid> <file> <bytes> <bytes read> per thread,
 * MARK <pid> after <kB>.
 */
#include "vmdata.h"

#include <pthread.h>

#define CHUNK (64L * 1024) /* below the 128 KiB mmap threshold: served by the arena */

struct job {
  const char *path;
  long bytes;
  long bytes_read;
};

static pthread_barrier_t both_read;

static void *worker(void *arg) {
  struct job *job = arg;
  char buf[16384]; /* on the thread's stack: no malloc before the read */
  job->bytes_read = read_whole_file(job->path, buf, sizeof buf);
  pthread_barrier_wait(&both_read);
  allocate_chunks(job->bytes, CHUNK);
  return NULL;
}

static void report(const struct job *job) {
  char line[512];
  size_t len = 0;
  memcpy(line, "ALLOC ", 6); len = 6;
  len += vmdata_fmt_long(line + len, (long)getpid());
  line[len++] = ' ';
  size_t l = strlen(job->path);
  if (l > 400) l = 400;
  memcpy(line + len, job->path, l); len += l;
  line[len++] = ' ';
  len += vmdata_fmt_long(line + len, job->bytes);
  line[len++] = ' ';
  len += vmdata_fmt_long(line + len, job->bytes_read);
  line[len++] = '\n';
  (void)!write(1, line, len);
}

int main(int argc, char **argv) {
  if (argc != 5) vmdata_die("usage: threads FILE_A MB_A FILE_B MB_B\n");
  struct job jobs[2] = {
    { argv[1], atol(argv[2]) * 1024 * 1024, 0 },
    { argv[3], atol(argv[4]) * 1024 * 1024, 0 },
  };
  pthread_barrier_init(&both_read, NULL, 2);
  mark("before");
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    if (pthread_create(&t[i], NULL, worker, &jobs[i]) != 0) vmdata_die("pthread_create failed\n");
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  mark("after");
  report(&jobs[0]);
  report(&jobs[1]);
  return 0;
}
