/* The yardstick for teamsview's HTTP figure: plain C libmicrohttpd serving fixed bytes with the
 * same daemon flags (epoll, turbo, internal thread pool). Usage: c-baseline FILE THREADS
 * Binds 127.0.0.1 on a free port and prints the port on stdout. */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *body;
static size_t body_len;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **state) {
  (void)cls; (void)url; (void)method; (void)version; (void)upload; (void)upload_size;
  if (*state == NULL) { *state = (void *)1; return MHD_YES; } /* keep-alive: never answer on the first call */
  struct MHD_Response *r = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s FILE THREADS\n", argv[0]); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror("open"); return 1; }
  fseek(f, 0, SEEK_END); body_len = (size_t)ftell(f); fseek(f, 0, SEEK_SET);
  body = malloc(body_len);
  if (fread(body, 1, body_len, f) != body_len) { perror("read"); return 1; }
  fclose(f);
  struct sockaddr_in addr; memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET; addr.sin_port = 0; addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO, 0, NULL, NULL, handler, NULL,
      MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
      MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_END);
  if (!d) { fprintf(stderr, "cannot start\n"); return 1; }
  printf("%u\n", (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
  fflush(stdout);
  pause();
  return 0;
}
