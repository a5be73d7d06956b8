#ifndef TEAMSVIEW_CMICROHTTPD_SHIM_H
#define TEAMSVIEW_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <pthread.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <poll.h>
#include <microhttpd.h>

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

// Swift cannot call C variadic functions, so the few variadic libmicrohttpd entry points the
// server needs get fixed-signature wrappers here.

/// Where libmicrohttpd's messages go: `function(cls, message)`, message already formatted.
struct tv_log_sink {
  void (*function)(void *cls, const char *message);
  void *cls;
};

// libmicrohttpd hands its logger a printf format and a va_list, neither of which Swift can
// take; format here and pass on plain text.
static inline void tv_mhd_log(void *cls, const char *format, va_list arguments) {
  const struct tv_log_sink *sink = (const struct tv_log_sink *)cls;
  char message[512];
  vsnprintf(message, sizeof message, format, arguments);
  sink->function(sink->cls, message);
}

/// Everything `tv_mhd_start` passes to `MHD_start_daemon`.
struct tv_mhd_config {
  unsigned int flags;
  const struct sockaddr *address;
  unsigned int thread_pool_size;
  unsigned int connection_limit;
  unsigned int connection_timeout;
  MHD_AccessHandlerCallback access_handler;
  void *access_handler_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
  /// Called with the raw request target (path and query, still percent-encoded); its result
  /// becomes the request's `*req_cls`.
  void *(*uri_log)(void *cls, const char *uri, struct MHD_Connection *connection);
  void *uri_log_cls;
  /// Must outlive the daemon. Messages are only produced with MHD_USE_ERROR_LOG in `flags`.
  const struct tv_log_sink *log_sink;
  /// Asked before each connection is accepted; NO closes it unanswered.
  MHD_AcceptPolicyCallback accept_policy;
  void *accept_policy_cls;
  /// Told when a connection opens and closes.
  MHD_NotifyConnectionCallback notify_connection;
  void *notify_connection_cls;
  /// Bytes of per-connection memory (request line, header fields, read buffer).
  size_t connection_memory_limit;
  /// A listening socket to serve instead of binding `address` (-1: bind), e.g. taken over from
  /// a quiesced daemon.
  int listen_socket;
  /// PEM text of the TLS certificate chain and private key, NUL-terminated; both NULL for plain
  /// HTTP. MHD_USE_TLS must then be in `flags`.
  const char *tls_certificate;
  const char *tls_key;
};

/// Starts a daemon with the signals an application handles itself blocked in every daemon
/// thread (threads inherit the creating thread's mask), restoring the caller's mask after.
static inline struct MHD_Daemon *tv_mhd_start(const struct tv_mhd_config *c) {
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGHUP);
  sigaddset(&blocked, SIGQUIT);
  sigaddset(&blocked, SIGUSR1);
  sigaddset(&blocked, SIGUSR2);
  sigaddset(&blocked, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  // Options that depend on the configuration go in an array (unused entries end it early).
  struct MHD_OptionItem extra[4];
  unsigned int n = 0;
  if (c->listen_socket >= 0) {
    extra[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, c->listen_socket, NULL};
  } else {
    extra[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)c->address};
  }
  if (c->tls_certificate != NULL && c->tls_key != NULL) {
    extra[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)c->tls_key};
    extra[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)c->tls_certificate};
  }
  extra[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  struct MHD_Daemon *daemon = MHD_start_daemon(
      c->flags, 0, c->accept_policy, c->accept_policy_cls, c->access_handler, c->access_handler_cls,
      /* The logger goes first: options parsed before it would report through the default logger. */
      MHD_OPTION_EXTERNAL_LOGGER, tv_mhd_log, (void *)c->log_sink,
      MHD_OPTION_ARRAY, extra,
      MHD_OPTION_THREAD_POOL_SIZE, c->thread_pool_size,
      MHD_OPTION_CONNECTION_LIMIT, c->connection_limit,
      MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, c->connection_memory_limit,
      MHD_OPTION_NOTIFY_COMPLETED, c->completed, c->completed_cls,
      MHD_OPTION_NOTIFY_CONNECTION, c->notify_connection, c->notify_connection_cls,
      MHD_OPTION_URI_LOG_CALLBACK, c->uri_log, c->uri_log_cls,
      MHD_OPTION_END);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  return daemon;
}

/// The port the daemon is bound to (useful after binding port 0), or 0.
static inline uint16_t tv_mhd_bound_port(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info == NULL ? 0 : info->port;
}

/// Open connections across all the daemon's threads.
static inline unsigned int tv_mhd_current_connections(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info == NULL ? 0 : info->num_connections;
}

/// The peer's address, or NULL.
static inline const struct sockaddr *tv_mhd_client_address(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  return info == NULL ? NULL : info->client_addr;
}

/// True when the client of a (suspended) connection has closed or reset its end: the socket
/// reports end of input or an error. Looks without reading, so nothing is consumed.
static inline int tv_mhd_peer_gone(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (info == NULL) return 0;
  struct pollfd descriptor = {.fd = info->connect_fd, .events = POLLRDHUP, .revents = 0};
  if (poll(&descriptor, 1, 0) <= 0) return 0;
  return (descriptor.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/// What the connection-notification callback stored for a connection, or NULL.
static inline void *tv_mhd_socket_context(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info == NULL ? NULL : info->socket_context;
}

/// True when this libmicrohttpd was built with TLS (GnuTLS) support.
static inline int tv_mhd_has_tls(void) { return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES; }

#endif
