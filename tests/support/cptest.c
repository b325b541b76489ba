#include "cptest.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credport/sig.h"

uint8_t *cpt_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) fail_msg("cannot open %s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap + 1);
  assert_non_null(buf);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
      assert_non_null(buf);
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    if (r == 0) break;
    n += r;
  }
  fclose(f);
  buf[n] = 0;
  if (len != NULL) *len = n;
  return buf;
}

char *cpt_path(const char *base, const char *rel) {
  size_t n = strlen(base) + strlen(rel) + 2;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/%s", base, rel);
  return p;
}

char *cpt_tmpdir(void) {
  const char *t = getenv("TMPDIR");
  char tmpl[512];
  snprintf(tmpl, sizeof tmpl, "%s/cptest.XXXXXX", t != NULL && *t != 0 ? t : "/tmp");
  char *d = mkdtemp(tmpl);
  if (d == NULL) fail_msg("mkdtemp: %s", strerror(errno));
  return strdup(d);
}

void cpt_rmtree(const char *path) {
  DIR *dir = opendir(path);
  if (dir != NULL) {
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
      char *p = cpt_path(path, de->d_name);
      struct stat st;
      if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
        cpt_rmtree(p);
      else
        unlink(p);
      free(p);
    }
    closedir(dir);
  }
  rmdir(path);
}

int cpt_run(const char *cmdline, char **out) {
  FILE *p = popen(cmdline, "r");
  if (p == NULL) return -1;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  assert_non_null(buf);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
      assert_non_null(buf);
    }
    size_t r = fread(buf + n, 1, cap - n, p);
    if (r == 0) break;
    n += r;
  }
  buf[n] = 0;
  int st = pclose(p);
  if (out != NULL)
    *out = buf;
  else
    free(buf);
  if (st == -1) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void cpt_unhex(const char *hex, uint8_t *out, size_t len) {
  assert_int_equal(strlen(hex), 2 * len);
  for (size_t i = 0; i < len; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

int cpt_main(int argc, char **argv, const struct CMUnitTest *tests, size_t n, const char *group) {
  if (cp_crypto_init() != 0) {
    fprintf(stderr, "cannot initialise libsodium\n");
    return 1;
  }
  if (argc > 1) cmocka_set_test_filter(argv[1]);
  const char *slash = strrchr(group, '/');
  return _cmocka_run_group_tests(slash != NULL ? slash + 1 : group, tests, n, NULL, NULL);
}
