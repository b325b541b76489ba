/*
 * credport test support: cmocka plus a few helpers. Every test program's
 * main is CP_TEST_MAIN(tests): with an argument it runs only the case of
 * that name (ctest registers one test per case), without it all of them.
 */
#ifndef CP_TEST_H
#define CP_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Reads a whole file into a malloc'd, NUL-terminated buffer; fails the test
 * if it cannot. */
uint8_t *cpt_read_file(const char *path, size_t *len);
/* base/rel as a malloc'd path (base is usually a vectors folder under
 * tests/vectors/). */
char *cpt_path(const char *base, const char *rel);
/* A fresh empty temporary directory (malloc'd path), removed by cpt_rmtree. */
char *cpt_tmpdir(void);
void cpt_rmtree(const char *path);
/* Runs a shell command line; returns its exit status (or -1). Output is
 * captured into *out (malloc'd, NUL-terminated) when out is not NULL. */
int cpt_run(const char *cmdline, char **out);
/* Hex helpers for tests. */
void cpt_unhex(const char *hex, uint8_t *out, size_t len);

int cpt_main(int argc, char **argv, const struct CMUnitTest *tests, size_t n, const char *group);
#define CP_TEST_MAIN(tests)                                                        \
  int main(int argc, char **argv) {                                               \
    return cpt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), __FILE__); \
  }

#endif
