/*
 * wasi_stubs.c — the few WASI functions QuickJS and wasi-libc reach for,
 * defined here so the module imports nothing but the Caxton ABI.
 *
 * wasi-libc calls each WASI function through an undefined symbol
 * `__imported_wasi_snapshot_preview1_<name>`; a definition in the link takes
 * the place of the import. The clock reads Caxton's `now_ms`; stdio has
 * nowhere to go, so writes are dropped (reported as written) and the rest
 * fail with ENOSYS.
 */
#include <stdint.h>

__attribute__((import_module("caxton"), import_name("now_ms"))) int64_t _caxton_now_ms(void);

#define WASI_ENOSYS 52

int32_t __imported_wasi_snapshot_preview1_clock_time_get(int32_t id, int64_t precision,
                                                          int32_t out) {
  (void)id, (void)precision;
  *(uint64_t *)(uintptr_t)out = (uint64_t)_caxton_now_ms() * 1000000u;
  return 0;
}

int32_t __imported_wasi_snapshot_preview1_fd_write(int32_t fd, int32_t iovs, int32_t count,
                                                    int32_t written) {
  (void)fd;
  uint32_t total = 0;
  const uint32_t *iov = (const uint32_t *)(uintptr_t)iovs;
  for (int32_t i = 0; i < count; i++) total += iov[2 * i + 1];
  *(uint32_t *)(uintptr_t)written = total;
  return 0;
}

int32_t __imported_wasi_snapshot_preview1_fd_close(int32_t fd) {
  (void)fd;
  return WASI_ENOSYS;
}

int32_t __imported_wasi_snapshot_preview1_fd_fdstat_get(int32_t fd, int32_t out) {
  (void)fd, (void)out;
  return WASI_ENOSYS;
}

int32_t __imported_wasi_snapshot_preview1_fd_seek(int32_t fd, int64_t offset, int32_t whence,
                                                   int32_t out) {
  (void)fd, (void)offset, (void)whence, (void)out;
  return WASI_ENOSYS;
}
