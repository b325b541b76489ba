/* credport CLI — the authority key in force, its rotation and its
 * retirement (docs/OPERATIONS.md, "Key rotation").
 *
 * Files in the data folder:
 *   authority.key                 the key in force (the log's current signer)
 *   authority.key.next            a rotation's new key, until the switch
 *   authority.key.retired-<HEX16> a key rotated away (first 16 hex digits of
 *                                 its public key), kept, mode 0600
 * A rotation writes authority.key.next, commits the key entry signed by the
 * key in force, then links authority.key to its retired name and renames
 * authority.key.next over authority.key. cli_key_in_force finishes a switch
 * that a crash interrupted, so every moment leaves a node that signs with
 * the key its log expects. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/note.h"

#define NEXT_NAME "authority.key.next"

static const char key_help[] =
    "usage: credport key rotate [--out FILE] [--dry-run]\n"
    "       credport key retire --reason TEXT [--dry-run]\n"
    "  --dry-run signs and checks the key entry (rotate: naming a key made for the run\n"
    "          and thrown away), shows it, and writes nothing: no entry, no key file.\n"
    "  rotate  generates a new authority key (DIR/authority.key.next, mode 0600), signs a\n"
    "          key entry naming it with the key in force and, once that entry committed,\n"
    "          makes it DIR/authority.key; the old key stays as\n"
    "          DIR/authority.key.retired-<first 16 hex digits of its public key>.\n"
    "          --out FILE also writes a copy of the new key to FILE (mode 0600, never\n"
    "          overwritten) before anything is signed, for safe keeping elsewhere.\n"
    "          Partners must add the new public key (peer add) to keep syncing.\n"
    "  retire  signs a key entry that retires the log's key: the log accepts nothing\n"
    "          more, here or at any partner. --reason is required and shown; the key\n"
    "          entry has no field for it, so it is not recorded in the log.\n";

/* The one place a test makes a rotation stop dead (SIGKILL, as kill -9
 * would) at a named step: CREDPORT_TEST_KILL_AT=STEP. Never set in use. */
static void kill_point(const char *step) {
  const char *v = getenv("CREDPORT_TEST_KILL_AT");
  if (v != NULL && strcmp(v, step) == 0) raise(SIGKILL);
}

static void retired_name(const uint8_t pk[CP_PK_BYTES], char *out, size_t cap) {
  char hex[2 * CP_PK_BYTES + 1];
  cp_hex_encode(pk, CP_PK_BYTES, hex);
  snprintf(out, cap, "authority.key.retired-%.16s", hex);
}

static int sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int rc = fsync(fd) != 0 ? -errno : 0;
  close(fd);
  return rc;
}

/* Makes DIR/authority.key.next (whose key is `next`) the key in force:
 * authority.key (if present, the old key `old`) is first linked to its
 * retired name, then authority.key.next is renamed over it, so at every
 * moment authority.key is the old key or the new one. Repeatable after a
 * crash at any point. */
static int switch_key(cli *c, const uint8_t *old) {
  char cur[PATH_MAX], next[PATH_MAX], ret[PATH_MAX], name[64];
  cli_path(c, "authority.key", cur, sizeof cur);
  cli_path(c, NEXT_NAME, next, sizeof next);
  if (old != NULL) {
    retired_name(old, name, sizeof name);
    cli_path(c, name, ret, sizeof ret);
    if (link(cur, ret) != 0 && errno != EEXIST)
      return cli_fail(c, "cannot keep the old key as %s: %s", ret, strerror(errno));
    kill_point("rotate-linked");
  }
  if (rename(next, cur) != 0)
    return cli_fail(c, "cannot make %s the authority key: %s", next, strerror(errno));
  int rc = sync_dir(c->data);
  if (rc != 0) return cli_fail(c, "cannot sync %s: %s", c->data, strerror(-rc));
  return CLI_OK;
}

/* Loads a key file, quietly: OUT k (NULL and the error when it cannot). */
static int try_load(cli *c, const char *name, cp_key **k, cp_diag *d) {
  char path[PATH_MAX];
  cli_path(c, name, path, sizeof path);
  *k = NULL;
  return cp_key_load(path, k, d);
}

int cli_key_file_of(cli *c, const uint8_t pk[CP_PK_BYTES], char *path, size_t cap) {
  char name[64];
  const char *names[3] = {"authority.key", NEXT_NAME, name};
  retired_name(pk, name, sizeof name);
  for (size_t i = 0; i < 3; i++) {
    cp_key *k = NULL;
    cp_diag d = {{0}};
    uint8_t kp[CP_PK_BYTES];
    if (try_load(c, names[i], &k, &d) != 0) continue;
    cp_key_public(k, kp);
    cp_key_free(k);
    if (memcmp(kp, pk, CP_PK_BYTES) == 0) {
      cli_path(c, names[i], path, cap);
      return CLI_OK;
    }
  }
  char hex[2 * CP_PK_BYTES + 1];
  cp_hex_encode(pk, CP_PK_BYTES, hex);
  return cli_fail(c, "no key file in %s holds the key %s (authority.key, %s, %s)", c->data, hex,
                  NEXT_NAME, name);
}

int cli_key_in_force(cli *c, cp_store *s, cp_key **out) {
  cp_reader *r = NULL;
  cp_log_info li;
  cp_key *k = NULL, *nk = NULL;
  cp_diag d = {{0}}, nd = {{0}};
  uint8_t self[CP_PK_BYTES], pk[CP_PK_BYTES];
  char hex[2 * CP_PK_BYTES + 1], shex[2 * CP_PK_BYTES + 1], path[PATH_MAX];
  int st = CLI_OK;
  *out = NULL;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  cp_reader_end(r);
  if (rc == CP_ENOTFOUND) return cli_load_authority_key(c, out); /* before init */
  if (rc != 0) return cli_fail(c, "cannot read this node's log: %s", cp_strerror(rc));
  int lrc = try_load(c, "authority.key", &k, &d);
  if (lrc == 0) {
    cp_key_public(k, pk);
    if (memcmp(pk, li.signer, CP_PK_BYTES) == 0) {
      *out = k;
      return CLI_OK;
    }
  } else if (lrc != -ENOENT) {
    cli_path(c, "authority.key", path, sizeof path);
    return cli_fail(c, "cannot use the authority key %s: %s", path,
                    d.msg[0] ? d.msg : cp_strerror(lrc));
  }
  /* authority.key is missing or not the key in force: a rotation whose
   * key entry committed may not have switched the files yet. */
  if (try_load(c, NEXT_NAME, &nk, &nd) == 0) {
    uint8_t npk[CP_PK_BYTES];
    cp_key_public(nk, npk);
    if (memcmp(npk, li.signer, CP_PK_BYTES) == 0) {
      if ((st = switch_key(c, k != NULL ? pk : NULL)) == CLI_OK) {
        fprintf(stderr, "credport %s: note: finished an interrupted key rotation: %s/%s is now "
                "the key in force\n", c->cmd, c->data, "authority.key");
        cp_key_free(k);
        *out = nk;
        return CLI_OK;
      }
      cp_key_free(k);
      cp_key_free(nk);
      return st;
    }
    cp_key_free(nk);
  }
  cp_hex_encode(li.signer, CP_PK_BYTES, shex);
  cli_path(c, "authority.key", path, sizeof path);
  if (k == NULL) {
    st = cli_fail(c, "cannot use the authority key %s: no such file; this log's key in force "
                  "is %s (docs/OPERATIONS.md, \"Key rotation\")", path, shex);
  } else {
    cp_hex_encode(pk, CP_PK_BYTES, hex);
    st = cli_fail(c, "the authority key %s (public key %s) is not this log's key in force, "
                  "%s%s; put that key's file in its place (docs/OPERATIONS.md, \"Key "
                  "rotation\"); nothing was signed", path, hex, shex,
                  memcmp(self, li.signer, CP_PK_BYTES) != 0 ? " (named by a key rotation)" : "");
  }
  cp_key_free(k);
  return st;
}

static int key_append(cli *c, cp_store *s, const cp_key *k, unsigned action,
                      const uint8_t *new_pk, uint8_t id[CP_HASH_BYTES]) {
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_KEY;
  e.u.key.action = (uint8_t)action;
  if (new_pk != NULL) memcpy(e.u.key.new_key, new_pk, CP_PK_BYTES);
  int rc = cp_appender_begin(s, k, cli_now(), &a, &d);
  if (rc == 0) rc = cp_appender_add(a, &e, id, &d);
  if (rc == 0 && c->dry_run) {
    cli_dry dr = {NULL, 0};
    size_t len;
    const uint8_t *buf = cp_appender_last(a, &len);
    if ((rc = cp_appender_rollback(a, &d)) == 0) {
      cli_dry_add(c, &dr, buf, len, 0, NULL);
      cli_dry_end(c, &dr, "key entry", "key entries");
    }
  } else if (rc == 0) {
    rc = cp_appender_commit(a, &d);
    a = NULL;
  }
  cp_appender_abort(a);
  if (rc != 0)
    return cli_fail(c, "key %s refused, nothing written: %s",
                    action == CP_KEY_ROTATE ? "rotation" : "retirement",
                    d.msg[0] ? d.msg : cp_strerror(rc));
  return CLI_OK;
}

static int key_rotate(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {NULL, 0, NULL, 0}};
  const char *out = NULL;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
    if (o == 'o') out = optarg;
    else return cli_bad_option(c, argv, opts, "see credport key --help");
  }
  if (optind != argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  cp_store *s = NULL;
  cp_key *k = NULL, *nk = NULL, *stale = NULL;
  cp_diag d = {{0}};
  uint8_t old_pk[CP_PK_BYTES], new_pk[CP_PK_BYTES], id[CP_HASH_BYTES];
  char next[PATH_MAX];
  int st = cli_open_authority(c, &s, &k);
  if (st != CLI_OK) return st;
  cp_key_public(k, old_pk);
  cli_path(c, NEXT_NAME, next, sizeof next);
  /* A new key left by a rotation that never committed was never named by
   * the log (cli_key_in_force would have switched to it) and signed
   * nothing: it is removed, not reused. */
  if (!c->dry_run && try_load(c, NEXT_NAME, &stale, &d) != -ENOENT) {
    cp_key_free(stale);
    if (unlink(next) != 0) {
      st = cli_fail(c, "cannot remove %s, left by a rotation that never committed: %s", next,
                    strerror(errno));
      goto out;
    }
    fprintf(stderr, "credport key: note: removed %s, left by a rotation that never committed\n",
            next);
  }
  int rc = cp_key_generate(&nk);
  if (rc != 0) {
    st = cli_fail(c, "cannot generate a key: %s", cp_strerror(rc));
    goto out;
  }
  cp_key_public(nk, new_pk);
  if (c->dry_run) {
    st = key_append(c, s, k, CP_KEY_ROTATE, new_pk, id);
    goto out;
  }
  if (out != NULL && (rc = cp_key_save(nk, out, &d)) != 0) {
    st = cli_fail(c, "nothing signed: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if ((rc = cp_key_save(nk, next, &d)) != 0 || (rc = sync_dir(c->data)) != 0) {
    st = cli_fail(c, "nothing signed: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  kill_point("rotate-saved");
  if ((st = key_append(c, s, k, CP_KEY_ROTATE, new_pk, id)) != CLI_OK) {
    /* Nothing committed: the new key was never named and is dropped. */
    unlink(next);
    if (out != NULL) unlink(out);
    goto out;
  }
  kill_point("rotate-committed");
  if ((st = switch_key(c, old_pk)) != CLI_OK) goto out;
  kill_point("rotate-switched");
  /* The commit that ended with the rotation signed no checkpoint (the old
   * key does not sign at the new size): the new key signs one now. */
  if ((rc = cp_store_checkpoint(s, nk, &d)) != 0) {
    st = cli_fail(c, "the rotation committed and the new key is in force, but no checkpoint "
                  "was signed (the next entry signs one): %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  {
    char hex[2 * CP_PK_BYTES + 1], ohex[2 * CP_PK_BYTES + 1], idh[2 * CP_HASH_BYTES + 1],
        did[CP_DIDKEY_MAX], name[64];
    cp_hex_encode(new_pk, CP_PK_BYTES, hex);
    cp_hex_encode(old_pk, CP_PK_BYTES, ohex);
    cp_hex_encode(id, CP_HASH_BYTES, idh);
    cp_didkey_encode(new_pk, did);
    retired_name(old_pk, name, sizeof name);
    if (c->json) {
      json_t *j = json_object();
      json_object_set_new(j, "entry", json_string(idh));
      json_object_set_new(j, "public_key", json_string(hex));
      json_object_set_new(j, "did", json_string(did));
      json_object_set_new(j, "old_public_key", json_string(ohex));
      json_object_set_new(j, "old_key_file", json_string(name));
      cli_print_json(j);
    } else {
      printf("rotated: key entry %s\nnew key       %s\ndid           %s\nold key       %s "
             "(kept as %s/%s)\n",
             idh, hex, did, ohex, c->data, name);
    }
  }
out:
  cp_key_free(nk);
  cp_key_free(k);
  cp_store_close(s);
  return st;
}

static int key_retire(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                       {NULL, 0, NULL, 0}};
  const char *reason = NULL;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
    if (o == 'r') reason = optarg;
    else return cli_bad_option(c, argv, opts, "see credport key --help");
  }
  if (optind != argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (reason == NULL || reason[0] == 0)
    return cli_usage(c, "--reason TEXT is required: retiring the key ends the log for good");
  cp_store *s = NULL;
  cp_key *k = NULL;
  uint8_t id[CP_HASH_BYTES];
  int st = cli_open_authority(c, &s, &k);
  if (st != CLI_OK) return st;
  if ((st = key_append(c, s, k, CP_KEY_RETIRE, NULL, id)) == CLI_OK && !c->dry_run) {
    char idh[2 * CP_HASH_BYTES + 1];
    cp_hex_encode(id, CP_HASH_BYTES, idh);
    if (c->json) {
      json_t *j = json_object();
      json_object_set_new(j, "entry", json_string(idh));
      json_object_set_new(j, "reason", json_string(reason));
      cli_print_json(j);
    } else {
      printf("retired: key entry %s; this log accepts nothing more (reason given: ", idh);
      cli_put_text(stdout, reason, strlen(reason));
      fputs(")\n", stdout);
    }
  }
  cp_key_free(k);
  cp_store_close(s);
  return st;
}

int cmd_key(cli *c, int argc, char **argv) {
  if (argc < 2 || cli_wants_help(argc, argv)) {
    fputs(key_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    if (strcmp(argv[i], "--dry-run") == 0) c->dry_run = 1;
  }
  int n = 0;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--json") != 0 && strcmp(argv[i], "--dry-run") != 0) argv[n++] = argv[i];
  if (strcmp(argv[0], "rotate") == 0) return key_rotate(c, n, argv);
  if (strcmp(argv[0], "retire") == 0) return key_retire(c, n, argv);
  return cli_usage(c, "unknown key command \"%s\" (rotate, retire)", argv[0]);
}
