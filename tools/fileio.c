/* credport CLI — whole files in and out: atomic writes, bounded reads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_write_atomic(const char *path, const void *data, size_t len, unsigned mode, cp_diag *d) {
  const char *text = data;
  char tmp[PATH_MAX];
  struct stat st;
  int fd, rc = 0;
  size_t off = 0;
  if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
    /* Standard output, a terminal, a pipe or a device: written in place,
     * never replaced by a rename. */
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (f == NULL) return cp_diag_set(d, -errno, "cannot open %s: %s", path, strerror(errno));
    if (fwrite(text, 1, len, f) != len || fflush(f) != 0) rc = -EIO;
    if (f != stdout) fclose(f);
    return rc != 0 ? cp_diag_set(d, rc, "cannot write %s", path) : CP_OK;
  }
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
    return cp_diag_set(d, CP_EINVAL, "path too long: %s", path);
  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode)) < 0)
    return cp_diag_set(d, -errno, "cannot create %s: %s", tmp, strerror(errno));
  while (off < len && rc == 0) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno != EINTR) rc = -errno;
    if (w > 0) off += (size_t)w;
  }
  if (rc == 0 && fsync(fd) != 0) rc = -errno;
  if (close(fd) != 0 && rc == 0) rc = -errno;
  if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
  if (rc != 0) {
    unlink(tmp);
    return cp_diag_set(d, rc, "cannot write %s: %s", path, strerror(-rc));
  }
  return CP_OK;
}

int cli_read_file(const char *path, size_t max, char **text, size_t *len, cp_diag *d) {
  struct stat sb;
  char *buf = NULL;
  size_t n = 0;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc = 0;
  *text = NULL;
  if (fd < 0) return cp_diag_set(d, -errno, "cannot open %s: %s", path, strerror(errno));
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    rc = cp_diag_set(d, CP_EINVAL, "%s is not a regular file", path);
  } else if ((uint64_t)sb.st_size > max) {
    rc = cp_diag_set(d, CP_ETOOBIG, "%s: longer than %zu bytes", path, max);
  } else if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
    rc = CP_ENOMEM;
  } else {
    ssize_t got = 0;
    while (n < (size_t)sb.st_size && (got = read(fd, buf + n, (size_t)sb.st_size - n)) > 0)
      n += (size_t)got;
    if (got < 0) rc = cp_diag_set(d, -errno, "cannot read %s: %s", path, strerror(errno));
  }
  close(fd);
  if (rc != 0) {
    free(buf);
    return rc;
  }
  buf[n] = 0;
  *text = buf;
  *len = n;
  return CP_OK;
}

