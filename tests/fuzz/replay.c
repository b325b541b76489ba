/*
 * Replays a fuzz target's corpus without libFuzzer: every file in each
 * directory given (sorted by name; names starting with '.' skipped) is fed
 * once to the target's LLVMFuzzerTestOneInput, which abort()s when an
 * invariant breaks. ctest runs one replay per target over
 * tests/fuzz/corpus/<target>/, so every seed and every regression input
 * kept there is checked by the ordinary build. An empty or missing corpus
 * fails: a replay that fed nothing would test nothing.
 *   replay_fuzz_NAME DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *de) { return de->d_name[0] != '.'; }

/* Reads a whole file into a malloc'd buffer exactly its size (so ASan sees
 * any read past the input). */
static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *b = NULL;
  long n;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) goto out;
  b = malloc(n > 0 ? (size_t)n : 1);
  if (b == NULL) goto out;
  if (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
    goto out;
  }
  *len = (size_t)n;
out:
  fclose(f);
  return b;
}

int main(int argc, char **argv) {
  unsigned files = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS-DIR...\n", argv[0]);
    return 2;
  }
  for (int a = 1; a < argc; a++) {
    struct dirent **names = NULL;
    int n = scandir(argv[a], &names, visible, by_name);
    if (n < 0) {
      perror(argv[a]);
      return 1;
    }
    for (int i = 0; i < n; i++) {
      char path[4096];
      size_t len = 0;
      snprintf(path, sizeof path, "%s/%s", argv[a], names[i]->d_name);
      uint8_t *b = slurp(path, &len);
      if (b == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
      }
      fprintf(stderr, "%s (%zu bytes)\n", path, len);
      (void)LLVMFuzzerTestOneInput(b, len);
      free(b);
      files++;
      free(names[i]);
    }
    free(names);
  }
  if (files == 0) {
    fprintf(stderr, "no corpus files in the directories given\n");
    return 1;
  }
  printf("%u inputs replayed, every invariant held\n", files);
  return 0;
}
