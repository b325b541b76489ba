/*
 * credport demo — a narrated walk-through in a temporary folder. Every step
 * runs this same binary as a person would type it, and shows the command
 * and what it printed, so the demo doubles as a tutorial.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

typedef struct {
  char self[PATH_MAX];
  char dir[PATH_MAX];
  char out[65536];   /* stdout of the last step */
  int failed;
} demo;

/* Runs credport with the given arguments (NULL-terminated), showing the
 * command line and its output. Returns the exit status. */
static int step(demo *dm, int expect, const char *const *args) {
  int pfd[2];
  pid_t pid;
  printf("\n$ credport");
  for (const char *const *a = args; *a; a++) printf(strchr(*a, ' ') ? " '%s'" : " %s", *a);
  printf("\n");
  fflush(stdout);
  if (pipe(pfd) != 0) return -1;
  char *argv[64];
  size_t n = 0;
  argv[n++] = dm->self;
  for (const char *const *a = args; *a && n < 63; a++) argv[n++] = (char *)*a;
  argv[n] = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
  posix_spawn_file_actions_addclose(&fa, pfd[0]);
  int rc = posix_spawn(&pid, dm->self, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pfd[1]);
  if (rc != 0) {
    close(pfd[0]);
    return -1;
  }
  size_t len = 0;
  ssize_t r;
  while ((r = read(pfd[0], dm->out + len, sizeof dm->out - 1 - len)) > 0) len += (size_t)r;
  dm->out[len] = 0;
  close(pfd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  /* Indent the output so the commands stand out. */
  for (char *p = dm->out; *p;) {
    char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    printf("  %.*s\n", (int)l, p);
    p += l + (nl != NULL);
  }
  if (code != expect) {
    printf("  !! expected exit status %d, got %d\n", expect, code);
    dm->failed = 1;
  }
  return code;
}

static void say(const char *fmt, ...) {
  va_list ap;
  printf("\n== ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

/* First line of the last output, without the newline. */
static void first_line(const demo *dm, char *out, size_t cap) {
  size_t n = strcspn(dm->out, "\n");
  if (n >= cap) n = cap - 1;
  memcpy(out, dm->out, n);
  out[n] = 0;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  fputs(text, f);
  return fclose(f);
}

static void rmtree(const char *dir) {
  char cmd[PATH_MAX + 16];
  if (strncmp(dir, "/tmp/credport-demo.", 19) != 0 && strstr(dir, "/credport-demo.") == NULL)
    return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

int cmd_demo(cli *c, int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: credport demo [--keep]\n"
           "  Walks through the ledger in a temporary folder: an authority is created,\n"
           "  credentials defined, awarded (one by one and from a CSV file) and revoked; a\n"
           "  checkpoint and an inclusion proof are made and checked offline; the ledger is\n"
           "  audited. --keep leaves the folder in place.\n");
    return CLI_OK;
  }
  int keep = argc > 1 && strcmp(argv[1], "--keep") == 0;
  demo *dm = calloc(1, sizeof *dm);
  if (dm == NULL) return cli_fail(c, "out of memory");
  ssize_t n = readlink("/proc/self/exe", dm->self, sizeof dm->self - 1);
  if (n <= 0) {
    free(dm);
    return cli_fail(c, "cannot find this program's path");
  }
  dm->self[n] = 0;
  const char *tmp = getenv("TMPDIR");
  snprintf(dm->dir, sizeof dm->dir, "%s/credport-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(dm->dir) == NULL) {
    free(dm);
    return cli_fail(c, "cannot create a temporary folder: %s", strerror(errno));
  }
  char nc[PATH_MAX], key1[PATH_MAX], key2[PATH_MAX], csv[PATH_MAX], ev[PATH_MAX],
      proof[PATH_MAX], cpfile[PATH_MAX];
  snprintf(nc, sizeof nc, "%s/nc", dm->dir);
  snprintf(key1, sizeof key1, "%s/ana.key", dm->dir);
  snprintf(key2, sizeof key2, "%s/ben.key", dm->dir);
  snprintf(csv, sizeof csv, "%s/awards.csv", dm->dir);
  snprintf(ev, sizeof ev, "%s/evidence.txt", dm->dir);
  snprintf(proof, sizeof proof, "%s/proof.json", dm->dir);
  snprintf(cpfile, sizeof cpfile, "%s/checkpoint.txt", dm->dir);
  char ana[80], ben[80], award1[80], vkey[512];

  printf("credport demo — one state's credential ledger, end to end (in %s)\n", dm->dir);
  say("North Carolina's licensure office creates its authority: a key and a signed log.");
  step(dm, 0, (const char *const[]){"-d", nc, "init", "--name", "NC Department of Public Instruction",
                                     "--jurisdiction", "US-NC", "--role", "state", NULL});
  step(dm, 0, (const char *const[]){"-d", nc, "whoami", "--json", NULL});
  {
    json_error_t je;
    json_t *j = json_loads(dm->out, 0, &je);
    snprintf(vkey, sizeof vkey, "%s", j ? json_string_value(json_object_get(j, "vkey")) : "");
    json_decref(j);
  }
  say("It defines two micro-credentials (a competency each, with level and contact hours).");
  step(dm, 0, (const char *const[]){"-d", nc, "credential", "define", "--id", "nc-mc-checking-understanding",
                                     "--title", "Checking for Understanding", "--competency",
                                     "Uses exit tickets to check understanding and adjust instruction",
                                     "--level", "2", "--hours", "10", "--area", "K-6", "--area",
                                     "english-language-arts", "--qa", "multistate-mc-qa-2024", NULL});
  step(dm, 0, (const char *const[]){"-d", nc, "credential", "define", "--id", "nc-mc-wait-time",
                                     "--title", "Wait Time in Group Discussion", "--competency",
                                     "Uses wait time to deepen student discussion", "--level", "1",
                                     "--hours", "7.5", NULL});
  say("Two educators make their own keys; only public keys ever reach the ledger.");
  step(dm, 0, (const char *const[]){"educator", "keygen", "--out", key1, NULL});
  first_line(dm, ana, sizeof ana);
  step(dm, 0, (const char *const[]){"educator", "keygen", "--out", key2, NULL});
  first_line(dm, ben, sizeof ben);
  say("An assessor's decision becomes an award; the evidence stays private, its digest is kept.");
  write_file(ev, "Exit tickets from three lessons, with reflections (kept by the educator).\n");
  step(dm, 0, (const char *const[]){"-d", nc, "award", "--credential", "nc-mc-checking-understanding",
                                     "--educator", ana, "--earned", "2026-03-14", "--assessor",
                                     "R. Alvarez", "--evidence", ev, NULL});
  first_line(dm, award1, sizeof award1);
  say("A district's spreadsheet of awards goes in as one transaction: every row or none.");
  {
    char text[1024];
    snprintf(text, sizeof text,
             "credential,educator,earned,assessor,evidence_sha256\n"
             "nc-mc-wait-time,%s,2026-04-02,J. Smith,\n"
             "nc-mc-wait-time,%s,2026-04-09,J. Smith,\n"
             "nc-mc-checking-understanding,%s,2026-05-20,R. Alvarez,"
             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
             ana, ben, ben);
    write_file(csv, text);
  }
  step(dm, 0, (const char *const[]){"-d", nc, "award", "--csv", csv, NULL});
  say("A CSV with one bad row imports nothing, and says where the problem is.");
  {
    char text[1024];
    snprintf(text, sizeof text,
             "credential,educator,earned,assessor,evidence_sha256\n"
             "nc-mc-wait-time,%s,2026-06-01,J. Smith,\n"
             "nc-mc-wait-time,%s,2026-02-30,J. Smith,\n", ana, ben);
    write_file(csv, text);
  }
  step(dm, 1, (const char *const[]){"-d", nc, "award", "--csv", csv, NULL});
  say("One award turns out to be mistaken and is revoked (the record of it stays).");
  step(dm, 0, (const char *const[]){"-d", nc, "log", NULL});
  {
    /* The CSV's third row (seq 6) is revoked. */
    char *line = strstr(dm->out, "\n     6  ");
    char id[65] = "";
    if (line != NULL) snprintf(id, sizeof id, "%.64s", line + 9);
    step(dm, 0, (const char *const[]){"-d", nc, "revoke", id, "--reason",
                                       "evidence belonged to another educator", NULL});
  }
  say("The log's signed checkpoint (a C2SP signed note any transparency-log tool reads).");
  step(dm, 0, (const char *const[]){"-d", nc, "checkpoint", NULL});
  write_file(cpfile, dm->out);
  say("An inclusion proof for Ana's first award, checked offline against that checkpoint.");
  step(dm, 0, (const char *const[]){"-d", nc, "prove", "inclusion", award1, "--json", NULL});
  write_file(proof, dm->out);
  step(dm, 0, (const char *const[]){"verify-proof", proof, "--checkpoint", cpfile, "--vkey", vkey,
                                     NULL});
  step(dm, 0, (const char *const[]){"-d", nc, "show", award1, NULL});
  say("An auditor replays the whole ledger from its first entry, trusting nothing stored.");
  step(dm, 0, (const char *const[]){"-d", nc, "audit", NULL});
  printf("\n%s\n", dm->failed ? "demo: a step did not do what it should (see !! above)"
                              : "demo: done — every step behaved as expected");
  if (keep)
    printf("the demo's files are kept in %s\n", dm->dir);
  else
    rmtree(dm->dir);
  int st = dm->failed ? CLI_FAIL : CLI_OK;
  free(dm);
  return st;
}
