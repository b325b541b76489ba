/* credport CLI — federation: serve, peer, sync, status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "credport/health.h"
#include "credport/codec.h"
#include "credport/node.h"

static int addr_valid(const char *a) {
  const char *colon = strrchr(a, ':');
  if (colon == NULL || colon == a || strlen(a) >= CP_ADDR_MAX) return 0;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  return *end == 0 && port > 0 && port <= 65535;
}

/* ---- serve ------------------------------------------------------------------ */

static const char serve_help[] =
    "usage: credport [-d DIR] serve [--listen ADDR:PORT] [--for SECONDS] [--log-file FILE]\n"
    "                               [--log-format logfmt|json] [--log-level LEVEL]\n"
    "  Runs the node: accepts partners on ADDR:PORT, dials the partners in the peer table\n"
    "  (reconnecting with backoff), replicates every log both sides know and pushes new\n"
    "  entries live. Stops cleanly on SIGINT or SIGTERM. Only partners in the peer table\n"
    "  (credport peer add) are let in. Without --listen no partner can dial this node.\n"
    "  Log lines go to stderr, or appended to --log-file FILE (opened again on SIGHUP, for\n"
    "  log rotation), as logfmt (time level event=... key=value) or one JSON object per\n"
    "  line; --log-level (debug, info, warn, error; default info) drops lines below it.\n";

/* Takes DIR/serve.lock (flock, exclusive, non-blocking) and writes this
 * process's PID into it. The lock lives with the open descriptor: the kernel
 * drops it when the process ends, however it ends (SIGKILL included), so a
 * stale file never blocks. A second serve on the folder fails here, naming
 * the holder's PID, before it opens the ledger or anything else.
 * OUT: *fd, the locked descriptor, kept open while the node runs. */
static int serve_lock(cli *c, int *fd) {
  char path[PATH_MAX];
  struct stat st;
  if (stat(c->data, &st) != 0 || !S_ISDIR(st.st_mode))
    return cli_fail(c, "no node data at %s (run credport init, or give -d DIR)", c->data);
  cli_path(c, "serve.lock", path, sizeof path);
  int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (f < 0) return cli_fail(c, "cannot open %s: %s", path, strerror(errno));
  if (flock(f, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    char pid[24];
    ssize_t n = pread(f, pid, sizeof pid - 1, 0);
    close(f);
    if (e != EWOULDBLOCK) return cli_fail(c, "cannot lock %s: %s", path, strerror(e));
    pid[n > 0 ? n : 0] = 0;
    pid[strcspn(pid, "\n")] = 0;
    return cli_fail(c, "%s is in use: another credport serve (PID %s) holds %s; stop it first",
                    c->data, pid[0] ? pid : "not yet written", path);
  }
  char line[24];
  int len = snprintf(line, sizeof line, "%ld\n", (long)getpid());
  if (ftruncate(f, 0) != 0 || pwrite(f, line, (size_t)len, 0) != (ssize_t)len) {
    int e = errno;
    close(f);
    return cli_fail(c, "cannot write %s: %s", path, strerror(e));
  }
  *fd = f;
  return CLI_OK;
}

int cmd_serve(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"listen", 1, 0, 'l'},     {"for", 1, 0, 'f'},       {"log-file", 1, 0, 'F'},
      {"log-format", 1, 0, 'o'}, {"log-level", 1, 0, 'L'}, {"help", 0, 0, 'h'},
      {0, 0, 0, 0}};
  const char *listen = NULL, *log_file = NULL;
  int log_json = 0, log_level = CP_LOG_INFO;
  uint64_t secs = 0;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'l': listen = optarg; break;
    case 'F': log_file = optarg; break;
    case 'o':
      if (strcmp(optarg, "json") != 0 && strcmp(optarg, "logfmt") != 0)
        return cli_usage(c, "--log-format: \"%s\" is not logfmt or json", optarg);
      log_json = strcmp(optarg, "json") == 0;
      break;
    case 'L':
      if ((log_level = cp_log_level_parse(optarg)) < 0)
        return cli_usage(c, "--log-level: \"%s\" is not debug, info, warn or error", optarg);
      break;
    case 'f':
      if (cli_parse_u64(optarg, &secs) != 0 || secs > 86400 * 365)
        return cli_usage(c, "--for: \"%s\" is not a number of seconds", optarg);
      break;
    case 'h': fputs(serve_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, serve_help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (listen != NULL && !addr_valid(listen))
    return cli_usage(c, "--listen: \"%s\" is not HOST:PORT", listen);
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_key *wk = NULL;
  char wname[CP_ORIGIN_MAX + 1];
  int lock = -1;
  int st = serve_lock(c, &lock);
  if (st != CLI_OK) return st;
  if ((st = cli_open_authority(c, &s, &k)) != CLI_OK) {
    close(lock);
    return st;
  }
  if ((st = cli_witness_key(c, s, &wk, wname)) != CLI_OK) {
    cp_key_free(k);
    cp_store_close(s);
    close(lock);
    return st;
  }
  cp_store_set_witness(s, wk, wname);
  cp_node_config cfg = {s,      k,           c->data,  listen,   NULL,     NULL, stderr,
                        isatty(2) && log_file == NULL, (unsigned)(secs * 1000), log_file,
                        log_json, log_level};
  cp_node_summary sum;
  int rc = cp_node_run(&cfg, &sum);
  cp_key_free(k);
  cp_store_close(s);
  cp_key_free(wk);
  close(lock);
  if (rc != 0) return cli_fail(c, "%s", sum.error[0] ? sum.error : cp_strerror(rc));
  fprintf(stderr, "credport serve: stopped after %.1f s: %llu entries received, %llu sent, "
          "%llu sessions, %llu refused\n", sum.seconds, (unsigned long long)sum.entries_in,
          (unsigned long long)sum.entries_out, (unsigned long long)sum.sessions,
          (unsigned long long)sum.refused);
  return CLI_OK;
}

/* ---- sync (one shot) ----------------------------------------------------------- */

/* Whether the running serve's status (DIR/status.json, rewritten every
 * second) lists a live session with the partner at addr or with key. */
static int serve_session(cli *c, const char *addr, const uint8_t *key, int *synced) {
  char path[PATH_MAX], hex[2 * CP_PK_BYTES + 1] = "";
  struct stat st;
  json_error_t je;
  size_t i;
  json_t *x, *j;
  int found = 0;
  *synced = 0;
  cli_path(c, "status.json", path, sizeof path);
  if (stat(path, &st) != 0 || time(NULL) - st.st_mtime > 5) return 0;
  if ((j = json_load_file(path, 0, &je)) == NULL) return 0;
  if (key != NULL) cp_hex_encode(key, CP_PK_BYTES, hex);
  json_array_foreach(json_object_get(j, "sessions"), i, x) {
    const char *p = json_string_value(json_object_get(x, "peer"));
    const char *a = json_string_value(json_object_get(x, "addr"));
    if ((key != NULL && p != NULL && strcmp(p, hex) == 0) || (a != NULL && strcmp(a, addr) == 0)) {
      found = 1;
      *synced = json_is_true(json_object_get(x, "synced"));
    }
  }
  json_decref(j);
  return found;
}

static const char sync_help[] =
    "usage: credport [-d DIR] sync ADDR:PORT [PUBKEY] [--json]\n"
    "  Connects to a partner, replicates both ways until both hold the same logs, and\n"
    "  exits with a summary. The partner must be in the peer table, or its key given.\n";

int cmd_sync(cli *c, int argc, char **argv) {
  const char *addr = NULL, *keyarg = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(sync_help, stdout);
      return CLI_OK;
    } else if (addr == NULL) addr = argv[i];
    else if (keyarg == NULL) keyarg = argv[i];
    else return cli_usage(c, "unexpected argument \"%s\"", argv[i]);
  }
  if (addr == NULL || !addr_valid(addr))
    return cli_usage(c, "an ADDR:PORT is required\n%s", sync_help);
  uint8_t key[CP_PK_BYTES];
  if (keyarg != NULL && cli_parse_pubkey(keyarg, key) != 0)
    return cli_usage(c, "PUBKEY: \"%s\" is not a public key", keyarg);
  /* Beside a running serve that has a session with this partner, the
   * partner would refuse a second one with this key: say so instead. */
  long pid;
  int synced;
  if (cp_serve_running(c->data, &pid) &&
      serve_session(c, addr, keyarg != NULL ? key : NULL, &synced)) {
    if (synced) {
      printf("the running serve (PID %ld) is connected to %s and in sync with it: nothing to do\n",
             pid, addr);
      return CLI_OK;
    }
    return cli_fail(c, "the running serve (PID %ld) on %s has a session with %s and is syncing "
                    "with it now (credport status shows when it is done); a second session would "
                    "be refused by the partner", pid, c->data, addr);
  }
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_key *wk = NULL;
  char wname[CP_ORIGIN_MAX + 1];
  int st = cli_open_authority(c, &s, &k);
  if (st != CLI_OK) return st;
  if ((st = cli_witness_key(c, s, &wk, wname)) != CLI_OK) {
    cp_key_free(k);
    cp_store_close(s);
    return st;
  }
  cp_store_set_witness(s, wk, wname);
  cp_node_config cfg = {s, k, NULL, NULL, addr, keyarg ? key : NULL, stderr,
                        isatty(2) && !c->json, 0, NULL, 0, CP_LOG_INFO};
  cp_node_summary sum;
  int rc = cp_node_run(&cfg, &sum);
  /* A completed sync gave back every entry of the own log the partner
   * holds: a restored node may append again (node/guard.c). */
  cp_store_guard g = {0, 0, 1};
  cp_diag gd = {{0}};
  int grc = rc == 0 && sum.synced ? cp_store_guard_confirm(s, 0, &g, &gd) : 0;
  cp_key_free(k);
  cp_store_close(s);
  cp_key_free(wk);
  if (grc != 0)
    fprintf(stderr, "credport sync: appending stays refused: %s\n", gd.msg);
  else if (!g.was_confirmed)
    fprintf(stderr, "credport sync: the own log is confirmed at %llu entries: appending is "
            "allowed again\n", (unsigned long long)g.size);
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "synced", json_boolean(rc == 0 && sum.synced));
    json_object_set_new(j, "entries_received", json_integer((json_int_t)sum.entries_in));
    json_object_set_new(j, "entries_sent", json_integer((json_int_t)sum.entries_out));
    json_object_set_new(j, "seconds", json_real(sum.seconds));
    if (rc != 0) json_object_set_new(j, "error", json_string(sum.error));
    cli_print_json(j);
  }
  if (rc != 0 || !sum.synced)
    return cli_fail(c, "sync with %s did not complete: %s", addr,
                    sum.error[0] ? sum.error : cp_strerror(rc));
  if (!c->json)
    printf("synced with %s in %.2f s: %llu entries received, %llu sent\n", addr, sum.seconds,
           (unsigned long long)sum.entries_in, (unsigned long long)sum.entries_out);
  return CLI_OK;
}

/* ---- peer ------------------------------------------------------------------------ */

static const char peer_help[] =
    "usage: credport peer add ADDR:PORT PUBKEY     add a partner (dialled by serve)\n"
    "       credport peer add --accept PUBKEY      allow a partner to connect, never dial it\n"
    "       credport peer list [--json]\n"
    "       credport peer remove PUBKEY\n"
    "  ADDR is an IPv4 address, a bracketed IPv6 one ([2001:db8::7]) or a host name,\n"
    "  looked up again at every dial. add on a known key changes its address. A running\n"
    "  serve applies changes within a second: a new partner is dialled, a removed one's\n"
    "  session is closed, and the allowlist follows.\n";

static int peer_row(void *ctx, const cp_peer_info *p) {
  if (ctx != NULL) {
    json_array_append_new(ctx, cli_peer_json(p, 0));
  } else {
    char hex[2 * CP_PK_BYTES + 1];
    cp_hex_encode(p->key, CP_PK_BYTES, hex);
    printf("%s  %s\n", hex, p->addr[0] ? p->addr : "(accept only)");
  }
  return 0;
}

int cmd_peer(cli *c, int argc, char **argv) {
  if (argc < 2) {
    fputs(peer_help, stderr);
    return CLI_USAGE;
  }
  if (cli_wants_help(argc, argv)) {
    fputs(peer_help, stdout);
    return CLI_OK;
  }
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--json") == 0) {
      c->json = 1;
      memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof *argv);
      argc--;
      i--;
    }
  cp_store *s = NULL;
  cp_diag d = {{0}};
  int st, rc;
  if (strcmp(argv[1], "add") == 0) {
    cp_peer_info p;
    memset(&p, 0, sizeof p);
    const char *addr = NULL, *key = NULL;
    if (argc == 4 && strcmp(argv[2], "--accept") == 0) key = argv[3];
    else if (argc == 4) addr = argv[2], key = argv[3];
    else return cli_usage(c, "peer add takes ADDR:PORT PUBKEY (or --accept PUBKEY)\n%s", peer_help);
    if (addr != NULL && !addr_valid(addr))
      return cli_usage(c, "ADDR:PORT: \"%s\" is not HOST:PORT", addr);
    if (cli_parse_pubkey(key, p.key) != 0)
      return cli_usage(c, "PUBKEY: \"%s\" is not a public key (64 hex digits or did:key)", key);
    if (addr != NULL) snprintf(p.addr, sizeof p.addr, "%s", addr);
    if ((st = cli_open_store(c, 0, &s)) != CLI_OK) return st;
    rc = cp_store_peer_put(s, &p, 1, &d);
    cp_store_close(s);
    if (rc != 0) return cli_fail(c, "cannot add the partner: %s", d.msg);
    printf("partner %s added%s\n", key, addr ? "" : " (accept only)");
    return CLI_OK;
  }
  if (strcmp(argv[1], "remove") == 0) {
    uint8_t key[CP_PK_BYTES];
    if (argc != 3 || cli_parse_pubkey(argv[2], key) != 0)
      return cli_usage(c, "peer remove takes one PUBKEY");
    if ((st = cli_open_store(c, 0, &s)) != CLI_OK) return st;
    rc = cp_store_peer_del(s, key, &d);
    cp_store_close(s);
    if (rc != 0) return cli_fail(c, "cannot remove %s: %s", argv[2], d.msg);
    printf("partner %s removed\n", argv[2]);
    return CLI_OK;
  }
  if (strcmp(argv[1], "list") == 0) {
    if (argc != 2) return cli_usage(c, "peer list takes no arguments");
    cp_reader *r = NULL;
    if ((st = cli_open_store(c, CP_STORE_RDONLY, &s)) != CLI_OK) return st;
    json_t *arr = c->json ? json_array() : NULL;
    rc = cp_reader_begin(s, &r);
    if (rc == 0) rc = cp_reader_each_peer(r, peer_row, arr);
    cp_reader_end(r);
    cp_store_close(s);
    if (rc != 0) {
      json_decref(arr);
      return cli_fail(c, "cannot read the peer table: %s", cp_strerror(rc));
    }
    if (arr != NULL) cli_print_json(arr);
    return CLI_OK;
  }
  return cli_usage(c, "unknown peer subcommand \"%s\"\n%s", argv[1], peer_help);
}
