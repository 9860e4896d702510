#include "core/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>

#include <glassbox/errors.h>

struct task {
	struct task *next;
	void (*fn)(void *arg);
	void *arg;
};

struct gb_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* a task is queued or we are stopping */
	pthread_cond_t idle;  /* the queue drained and nobody is busy */
	struct task *head, *tail;
	unsigned busy;
	bool stop;
	unsigned nthreads;
	pthread_t *threads;
	char name[16];
};

static void *worker(void *arg)
{
	struct gb_pool *p = arg;

	/* from the thread itself: the sandbox may deny /proc/self/task writes */
	prctl(PR_SET_NAME, p->name, 0, 0, 0);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head && p->stop)
			break;
		struct task *t = p->head;
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
		p->busy++;
		pthread_mutex_unlock(&p->lock);

		t->fn(t->arg);
		free(t);

		pthread_mutex_lock(&p->lock);
		p->busy--;
		if (!p->head && p->busy == 0)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int gb_pool_new(unsigned nthreads, const char *name, struct gb_pool **ret)
{
	struct gb_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return -GB_ENOMEM;
	if (nthreads == 0)
		nthreads = 1;
	p->threads = calloc(nthreads, sizeof(*p->threads));
	if (!p->threads) {
		free(p);
		return -GB_ENOMEM;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		gb_pool_free(p);
		return -GB_ENOMEM;
	}
	*ret = p;
	return 0;
}

void gb_pool_free(struct gb_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

int gb_pool_submit(struct gb_pool *p, void (*fn)(void *arg), void *arg)
{
	struct task *t = malloc(sizeof(*t));
	if (!t)
		return -GB_ENOMEM;
	t->fn = fn;
	t->arg = arg;
	t->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = t;
	else
		p->head = t;
	p->tail = t;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void gb_pool_wait(struct gb_pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->head || p->busy)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

unsigned gb_pool_threads(const struct gb_pool *p)
{
	return p->nthreads;
}

/* A batch shared by the caller and the helper tasks it queued. Helpers that
 * start after every index was claimed return at once; the caller waits only
 * for items in flight, never for queued helpers (which may sit behind long
 * tasks). The batch is refcounted because late helpers outlive the call. */
struct batch {
	pthread_mutex_t lock;
	pthread_cond_t done;
	size_t n, next, inflight;
	int (*fn)(void *ctx, size_t i);
	void *ctx;
	int err;
	unsigned refs;
};

static void batch_unref(struct batch *b)
{
	pthread_mutex_lock(&b->lock);
	unsigned left = --b->refs;
	pthread_mutex_unlock(&b->lock);
	if (left == 0) {
		pthread_cond_destroy(&b->done);
		pthread_mutex_destroy(&b->lock);
		free(b);
	}
}

static void batch_drain(struct batch *b)
{
	pthread_mutex_lock(&b->lock);
	while (b->next < b->n) {
		size_t i = b->next++;
		b->inflight++;
		pthread_mutex_unlock(&b->lock);
		int r = b->fn(b->ctx, i);
		pthread_mutex_lock(&b->lock);
		if (r < 0 && b->err == 0)
			b->err = r;
		if (--b->inflight == 0 && b->next >= b->n)
			pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->lock);
}

static void batch_helper(void *arg)
{
	struct batch *b = arg;
	batch_drain(b);
	batch_unref(b);
}

int gb_pool_parallel(struct gb_pool *p, size_t n, int (*fn)(void *ctx, size_t i), void *ctx)
{
	if (n == 0)
		return 0;
	struct batch *b = calloc(1, sizeof(*b));
	if (!b)
		return -GB_ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->done, NULL);
	b->n = n;
	b->fn = fn;
	b->ctx = ctx;
	b->refs = 1;

	size_t helpers = p && p->nthreads > 1 ? p->nthreads - 1 : 0;
	if (helpers > n - 1)
		helpers = n - 1;
	for (size_t h = 0; h < helpers; h++) {
		pthread_mutex_lock(&b->lock);
		b->refs++;
		pthread_mutex_unlock(&b->lock);
		if (gb_pool_submit(p, batch_helper, b) < 0) {
			batch_unref(b);
			break;
		}
	}
	batch_drain(b);
	pthread_mutex_lock(&b->lock);
	while (b->inflight > 0)
		pthread_cond_wait(&b->done, &b->lock);
	int err = b->err;
	pthread_mutex_unlock(&b->lock);
	batch_unref(b);
	return err;
}
