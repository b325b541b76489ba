/*
 * credport — the daemon's log sink: logfmt or JSON lines, a minimum level,
 * stderr or a file reopened on SIGHUP (so logrotate can move it away).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon_internal.h"

int cp_log_level_parse(const char *s) {
  if (strcmp(s, "debug") == 0) return CP_LOG_DEBUG;
  if (strcmp(s, "info") == 0) return CP_LOG_INFO;
  if (strcmp(s, "warn") == 0 || strcmp(s, "warning") == 0) return CP_LOG_WARN;
  if (strcmp(s, "error") == 0) return CP_LOG_ERROR;
  return -1;
}

static int key_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '-' || ch == '.';
}

/* A bare value that is a decimal integer without leading zeros (and fits
 * in a JSON integer) becomes a number. */
static json_t *bare_value(const char *p, size_t n) {
  int digits = n > 0 && n <= 18 && !(n > 1 && p[0] == '0');
  for (size_t i = 0; digits && i < n; i++) digits = p[i] >= '0' && p[i] <= '9';
  if (!digits) return json_stringn(p, n);
  long long v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
  return json_integer(v);
}

char *cp_log_line_json(const char *ts, const char *level, const char *payload) {
  json_t *o = json_object();
  char *out = NULL, *val = NULL, *msg = NULL;
  size_t msglen = 0, cap = strlen(payload) + 1;
  if (o == NULL || (val = malloc(cap)) == NULL || (msg = malloc(cap)) == NULL) goto done;
  json_object_set_new(o, "time", json_string(ts));
  json_object_set_new(o, "level", json_string(level));
  const char *p = payload;
  while (*p != 0) {
    while (*p == ' ') p++;
    if (*p == 0) break;
    const char *k = p;
    while (key_char(*p)) p++;
    if (p > k && *p == '=') {
      char key[64];
      size_t kl = (size_t)(p - k) < sizeof key - 1 ? (size_t)(p - k) : sizeof key - 1;
      memcpy(key, k, kl);
      key[kl] = 0;
      p++;
      json_t *v;
      if (*p == '"') {
        size_t vl = 0;
        for (p++; *p != 0 && *p != '"'; p++) {
          if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
          val[vl++] = *p;
        }
        if (*p == '"') p++;
        v = json_stringn(val, vl);
      } else {
        const char *b = p;
        while (*p != 0 && *p != ' ') p++;
        v = bare_value(b, (size_t)(p - b));
      }
      /* time and level are the sink's; a payload key of the same name is
       * kept under another. */
      if (strcmp(key, "time") == 0 || strcmp(key, "level") == 0) {
        char alt[72];
        snprintf(alt, sizeof alt, "payload_%s", key);
        json_object_set_new(o, alt, v);
      } else {
        json_object_set_new(o, key, v);
      }
      continue;
    }
    /* Not key=value: the token joins "msg". */
    p = k;
    while (*p != 0 && *p != ' ') p++;
    if (msglen > 0) msg[msglen++] = ' ';
    memcpy(msg + msglen, k, (size_t)(p - k));
    msglen += (size_t)(p - k);
  }
  if (msglen > 0) json_object_set_new(o, "msg", json_stringn(msg, msglen));
  out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
done:
  free(val);
  free(msg);
  json_decref(o);
  return out;
}

static int level_of(const char *level) {
  int l = cp_log_level_parse(level);
  return l < 0 ? CP_LOG_INFO : l;
}

int cp__log_open(cp__node *n) {
  n->logf = NULL;
  if (n->cfg->log_file == NULL) return 0;
  int fd = open(n->cfg->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return -errno;
  if ((n->logf = fdopen(fd, "a")) == NULL) {
    int e = errno;
    close(fd);
    return -e;
  }
  return 0;
}

void cp__log_reopen(cp__node *n) {
  if (n->cfg->log_file == NULL) {
    cp__log(n, "info", "event=sighup msg=\"no log file to reopen (lines go to standard error)\"");
    return;
  }
  FILE *old = n->logf;
  int rc = cp__log_open(n);
  if (rc != 0) {
    /* Keep writing where we were: a line lost is worse than a line late. */
    n->logf = old;
    cp__log(n, "error", "event=log-reopen-failed file=\"%s\" why=\"%s\"", n->cfg->log_file,
            strerror(-rc));
    return;
  }
  if (old != NULL) fclose(old);
  cp__log(n, "info", "event=log-reopened file=\"%s\"", n->cfg->log_file);
}

void cp__log_close(cp__node *n) {
  if (n->logf != NULL) fclose(n->logf);
  n->logf = NULL;
}

void cp__vlog(cp__node *n, const char *level, const char *fmt, va_list ap) {
  if (level_of(level) < n->cfg->log_level) return;
  FILE *f = n->logf != NULL ? n->logf : n->cfg->log != NULL ? n->cfg->log : stderr;
  char ts[32], payload[2048];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (n->cfg->progress && n->last_progress_ms != 0 && n->logf == NULL) fputs("\r\033[K", f);
  vsnprintf(payload, sizeof payload, fmt, ap);
  char *j = n->cfg->log_json ? cp_log_line_json(ts, level, payload) : NULL;
  if (j != NULL) fprintf(f, "%s\n", j);
  else fprintf(f, "%s level=%s %s\n", ts, level, payload);
  free(j);
  fflush(f);
}
