/* A fixed thread pool with a FIFO task queue.
 *
 * Tasks may submit further tasks. gb_pool_wait() returns when the queue is
 * empty and every worker is idle. gb_pool_parallel() runs a batch of indexed
 * work items with the calling thread taking part, so a task can fan out on the
 * pool without deadlocking it however few threads there are. */
#ifndef GB_CORE_POOL_H
#define GB_CORE_POOL_H

#include <stddef.h>

struct gb_pool;

/* nthreads >= 1 worker threads, named `name` (top -H, perf, gdb; at most
 * 15 bytes are kept). */
int gb_pool_new(unsigned nthreads, const char *name, struct gb_pool **ret);
/* Waits for all work, joins the threads, frees. Accepts NULL. */
void gb_pool_free(struct gb_pool *p);
/* Queue fn(arg). Returns 0 or -GB_ENOMEM. */
int gb_pool_submit(struct gb_pool *p, void (*fn)(void *arg), void *arg);
/* Block (from outside the pool) until all submitted work is done. */
void gb_pool_wait(struct gb_pool *p);
unsigned gb_pool_threads(const struct gb_pool *p);
/* Run fn(ctx, i) for every i < n across the pool and the caller; returns the
 * first negative result (the remaining items still run) or 0. */
int gb_pool_parallel(struct gb_pool *p, size_t n, int (*fn)(void *ctx, size_t i), void *ctx);

#endif
