/*
 * evilpeer connflood — a stranger holding pre-handshake slots (part of the
 * evilpeer program; see evilpeer.c for the other modes).
 *
 *   evilpeer connflood ADDR:PORT COUNT SECONDS [SOURCES]
 *
 * Opens COUNT TCP connections to ADDR:PORT, spread over SOURCES source
 * addresses 127.0.0.2, 127.0.0.3, ... (default 1), each of which sends one
 * byte and then holds the connection, sending nothing more. A connection the
 * node closes is opened again, at most CONNFLOOD_RATE new connections a
 * second in all, until SECONDS have passed or SIGTERM or SIGINT arrives. Loopback only: ADDR must be a
 * 127.x.y.z address. COUNT is at most 1000, SOURCES at most 200, SECONDS at
 * most 120.
 *
 * Prints one line at the start (once every connection was opened once) and
 * one at the end: connections opened, closed by the node, refused at
 * connect, and held at the end. Exit status 0, or 2 on usage or setup
 * errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNFLOOD_MAX 1000u
#define CONNFLOOD_SOURCES_MAX 200u
#define CONNFLOOD_SECONDS_MAX 120u
#define CONNFLOOD_RATE 400u /* new connections a second, at most */

int connflood_mode(int argc, char **argv);

enum { SLOT_CLOSED = 0, SLOT_CONNECTING, SLOT_HELD };

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) {
  (void)sig;
  stop_flag = 1;
}

static uint64_t mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int parse_target(const char *addr, struct sockaddr_in *sa) {
  char host[64];
  const char *colon = strrchr(addr, ':');
  if (colon == NULL || (size_t)(colon - addr) >= sizeof host) return -1;
  memcpy(host, addr, (size_t)(colon - addr));
  host[colon - addr] = 0;
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (*end != 0 || port == 0 || port > 65535) return -1;
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return -1;
  if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127) return -1;
  return 0;
}

/* A non-blocking connection from 127.0.0.(2 + src) to the target, or -1. */
static int open_one(const struct sockaddr_in *target, unsigned src) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in me;
  memset(&me, 0, sizeof me);
  me.sin_family = AF_INET;
  me.sin_addr.s_addr = htonl(0x7f000002u + src);
  if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0 ||
      (connect(fd, (const struct sockaddr *)target, sizeof *target) != 0 &&
       errno != EINPROGRESS)) {
    close(fd);
    return -1;
  }
  return fd;
}

int connflood_mode(int argc, char **argv) {
  struct sockaddr_in target;
  if (argc < 5 || argc > 6 || parse_target(argv[2], &target) != 0) {
    fprintf(stderr, "usage: evilpeer connflood 127.x.y.z:PORT COUNT SECONDS [SOURCES]\n");
    return 2;
  }
  unsigned long count = strtoul(argv[3], NULL, 10), secs = strtoul(argv[4], NULL, 10);
  unsigned long sources = argc == 6 ? strtoul(argv[5], NULL, 10) : 1;
  if (count == 0 || count > CONNFLOOD_MAX || secs == 0 || secs > CONNFLOOD_SECONDS_MAX ||
      sources == 0 || sources > CONNFLOOD_SOURCES_MAX) {
    fprintf(stderr, "evilpeer: connflood: COUNT 1..%u, SECONDS 1..%u, SOURCES 1..%u\n",
            CONNFLOOD_MAX, CONNFLOOD_SECONDS_MAX, CONNFLOOD_SOURCES_MAX);
    return 2;
  }
  struct pollfd *pf = calloc(count, sizeof *pf);
  unsigned char *state = calloc(count, 1);
  if (pf == NULL || state == NULL) {
    free(pf), free(state);
    return 2;
  }
  for (size_t i = 0; i < count; i++) pf[i].fd = -1;
  uint64_t t0 = mono_ms(), opened = 0, closed_by_node = 0, failed = 0;
  int announced = 0;
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  for (;;) {
    uint64_t now = mono_ms();
    if (stop_flag || now - t0 >= secs * 1000u) break;
    uint64_t allowed = count + (now - t0) * CONNFLOOD_RATE / 1000u;
    for (size_t i = 0; i < count && opened < allowed; i++) {
      if (state[i] != SLOT_CLOSED) continue;
      int fd = open_one(&target, (unsigned)(i % sources));
      opened++;
      if (fd < 0) {
        failed++;
        continue;
      }
      pf[i].fd = fd;
      pf[i].events = POLLOUT;
      state[i] = SLOT_CONNECTING;
    }
    if (!announced && opened >= count) {
      printf("evilpeer: connflood: %lu connections opened from %lu source address(es)\n", count,
             sources);
      announced = 1;
    }
    int pr = poll(pf, count, 20);
    if (pr < 0 && errno != EINTR) break;
    for (size_t i = 0; pr > 0 && i < count; i++) {
      if (pf[i].fd < 0 || pf[i].revents == 0) continue;
      int drop = 0;
      if (state[i] == SLOT_CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        const unsigned char one = 0x00;
        if (getsockopt(pf[i].fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0 ||
            send(pf[i].fd, &one, 1, MSG_NOSIGNAL) != 1) {
          failed++;
          drop = 1;
        } else {
          state[i] = SLOT_HELD;
          pf[i].events = POLLIN;
        }
      } else {
        unsigned char buf[512];
        ssize_t r = recv(pf[i].fd, buf, sizeof buf, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          closed_by_node++;
          drop = 1;
        }
      }
      if (drop) {
        close(pf[i].fd);
        pf[i].fd = -1;
        pf[i].events = 0;
        state[i] = SLOT_CLOSED;
      }
      pf[i].revents = 0;
    }
  }
  size_t held = 0;
  for (size_t i = 0; i < count; i++) {
    if (state[i] == SLOT_HELD) held++;
    if (pf[i].fd >= 0) close(pf[i].fd);
  }
  printf("evilpeer: connflood: %llu connections opened in %llu ms, %llu closed by the node, "
         "%llu failed to connect, %zu held at the end\n",
         (unsigned long long)opened, (unsigned long long)(mono_ms() - t0),
         (unsigned long long)closed_by_node,
         (unsigned long long)failed, held);
  free(pf);
  free(state);
  return 0;
}
