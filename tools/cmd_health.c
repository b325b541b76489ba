/* credport CLI — health: one line and an exit status for monitoring. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "credport/health.h"
#include "credport/trust.h"

static const char health_help[] =
    "usage: credport [-d DIR] health [--json] [--sync-warn DURATION] [--sync-crit DURATION]\n"
    "                [--disk-warn PCT] [--disk-crit PCT] [--map-warn PCT] [--map-crit PCT]\n"
    "  Checks the node as a monitoring plugin does and exits 0 OK, 1 WARNING, 2 CRITICAL\n"
    "  or 3 UNKNOWN (the data folder cannot be read, or a usage error). The first line is\n"
    "  \"CREDPORT LEVEL - what is wrong | performance data\"; one line per check follows:\n"
    "    serve     a credport serve runs on DIR and writes its status (CRITICAL if not)\n"
    "    partners  partners serve dials that are connected (all: OK; some: WARNING; none: CRITICAL)\n"
    "    sync      age of the oldest partner's last completed sync (default limits 15m, 1h)\n"
    "    forks     logs found forked (any: CRITICAL)\n"
    "    disk      free space on the ledger's file system (default limits 10%, 5%)\n"
    "    map       the ledger's map size in use (default limits 80%, 95%; credport map-size)\n"
    "    clock     partner clocks too far from this one (most of them: CRITICAL, signing stops)\n"
    "  DURATION is like 90s, 15m, 12h or 2d.\n";

static int parse_pct(const char *a, unsigned *pct) {
  uint64_t v;
  if (cli_parse_u64(a, &v) != 0 || v > 100) return CP_EINVAL;
  *pct = (unsigned)v;
  return CP_OK;
}

static void perfdata(const cp_health_facts *f, const cp_health_limits *l) {
  printf(" | partners_connected=%u;;;0;%u", f->connected, f->partners);
  if (f->partners && f->oldest_sync_age != CP_HEALTH_NEVER)
    printf(" oldest_sync=%llus;%llu;%llu;0", (unsigned long long)f->oldest_sync_age,
           (unsigned long long)l->sync_warn_s, (unsigned long long)l->sync_crit_s);
  printf(" forks=%u;;1;0", f->forks);
  if (f->disk_total)
    printf(" disk_free=%.1f%%;%u:;%u:;0;100",
           (double)f->disk_free * 100.0 / (double)f->disk_total, l->disk_warn_pct,
           l->disk_crit_pct);
  if (f->map_size)
    printf(" map_used=%.1f%%;%u;%u;0;100", (double)f->map_used * 100.0 / (double)f->map_size,
           l->map_warn_pct, l->map_crit_pct);
  printf("\n");
}

static void print_json(const cp_health_facts *f, const cp_health_report *r) {
  json_t *o = json_object(), *checks = json_array(), *facts = json_object();
  for (unsigned i = 0; i < r->n; i++) {
    json_t *c = json_object();
    json_object_set_new(c, "name", json_string(r->checks[i].name));
    json_object_set_new(c, "status", json_string(cp_health_level_name(r->checks[i].level)));
    json_object_set_new(c, "message", json_string(r->checks[i].msg));
    json_array_append_new(checks, c);
  }
  json_object_set_new(facts, "serving", json_boolean(f->serving));
  json_object_set_new(facts, "serve_pid", f->serving ? json_integer(f->serve_pid) : json_null());
  json_object_set_new(facts, "status_age_s", json_integer((json_int_t)f->status_age));
  json_object_set_new(facts, "partners", json_integer(f->partners));
  json_object_set_new(facts, "connected", json_integer(f->connected));
  json_object_set_new(facts, "accept_only", json_integer(f->accept_only));
  json_object_set_new(facts, "oldest_sync_age_s",
                      f->partners == 0 || f->oldest_sync_age == CP_HEALTH_NEVER
                          ? json_null()
                          : json_integer((json_int_t)f->oldest_sync_age));
  json_object_set_new(facts, "forks", json_integer(f->forks));
  json_object_set_new(facts, "disk_free_bytes", json_integer((json_int_t)f->disk_free));
  json_object_set_new(facts, "disk_total_bytes", json_integer((json_int_t)f->disk_total));
  json_object_set_new(facts, "map_used_bytes", json_integer((json_int_t)f->map_used));
  json_object_set_new(facts, "map_size_bytes", json_integer((json_int_t)f->map_size));
  json_object_set_new(facts, "clock_partners", json_integer(f->clock_usable));
  json_object_set_new(facts, "clock_far", json_integer(f->clock_far));
  json_object_set_new(o, "status", json_string(cp_health_level_name(r->level)));
  json_object_set_new(o, "exit", json_integer(r->level));
  json_object_set_new(o, "checks", checks);
  json_object_set_new(o, "facts", facts);
  cli_print_json(o);
}

int cmd_health(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"json", 0, 0, 'j'},      {"sync-warn", 1, 0, 's'}, {"sync-crit", 1, 0, 'S'},
      {"disk-warn", 1, 0, 'd'}, {"disk-crit", 1, 0, 'D'}, {"map-warn", 1, 0, 'm'},
      {"map-crit", 1, 0, 'M'},  {"help", 0, 0, 'h'},      {0, 0, 0, 0}};
  cp_health_limits l;
  cp_health_limits_default(&l);
  int o;
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    const char *a = optarg, *name = optind > 1 ? argv[optind - 1] : "";
    int bad = 0;
    switch (o) {
    case 'j': c->json = 1; break;
    case 's': bad = cp_duration_parse(a, &l.sync_warn_s); break;
    case 'S': bad = cp_duration_parse(a, &l.sync_crit_s); break;
    case 'd': bad = parse_pct(a, &l.disk_warn_pct); break;
    case 'D': bad = parse_pct(a, &l.disk_crit_pct); break;
    case 'm': bad = parse_pct(a, &l.map_warn_pct); break;
    case 'M': bad = parse_pct(a, &l.map_crit_pct); break;
    case 'h': fputs(health_help, stdout); return CLI_OK;
    default:
      cli_usage(c, "unknown option \"%s\"\n%s", argv[optind - 1], health_help);
      return CP_HEALTH_UNKNOWN;
    }
    if (bad) {
      cli_usage(c, "%s: \"%s\" is not a %s", name, a,
                o == 's' || o == 'S' ? "duration such as 90s, 15m, 12h or 2d"
                                     : "percentage from 0 to 100");
      return CP_HEALTH_UNKNOWN;
    }
  }
  /* Usage errors exit 3 (UNKNOWN), as monitoring plugins do: 2 means CRITICAL. */
  if (optind < argc) {
    cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], health_help);
    return CP_HEALTH_UNKNOWN;
  }
  if (l.sync_crit_s < l.sync_warn_s || l.disk_crit_pct > l.disk_warn_pct ||
      l.map_crit_pct < l.map_warn_pct) {
    cli_usage(c, "each critical limit must be at least as bad as its warning limit");
    return CP_HEALTH_UNKNOWN;
  }
  cp_store *s = NULL;
  cp_health_facts f;
  cp_health_report r;
  cp_diag d = {{0}};
  if (cli_open_store(c, CP_STORE_RDONLY, &s) != CLI_OK) {
    printf("CREDPORT UNKNOWN - cannot open the node's ledger in %s\n", c->data);
    return CP_HEALTH_UNKNOWN;
  }
  int rc = cp_health_gather(s, c->data, cli_now(), &f, &d);
  cp_store_close(s);
  if (rc != CP_OK) {
    printf("CREDPORT UNKNOWN - %s\n", d.msg);
    return CP_HEALTH_UNKNOWN;
  }
  cp_health_judge(&f, &l, &r);
  if (c->json) {
    print_json(&f, &r);
    return r.level;
  }
  printf("CREDPORT %s - ", cp_health_level_name(r.level));
  int shown = 0;
  for (unsigned i = 0; i < r.n; i++) {
    if (r.checks[i].level == CP_HEALTH_OK) continue;
    printf("%s%s: %s", shown++ ? "; " : "", r.checks[i].name, r.checks[i].msg);
  }
  if (!shown) printf("%u checks pass", r.n);
  perfdata(&f, &l);
  for (unsigned i = 0; i < r.n; i++)
    printf("%-9s %-8s %s\n", r.checks[i].name, cp_health_level_name(r.checks[i].level),
           r.checks[i].msg);
  return r.level;
}
